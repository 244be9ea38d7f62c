// Java rendering of smali/com/example/demo/settings/SettingsActivity.smali, for readers.
// Not compiled: Debian ships no dx/d8, so the smali is the source of classes.dex.
package com.example.demo.settings;

import android.app.Activity;
import android.content.Intent;
import android.net.Uri;
import android.os.Bundle;

public class SettingsActivity extends Activity {
    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
    }

    // "Help" menu item: hands an HTTPS page to the browser.
    public void openHelp() {
        startActivity(new Intent("android.intent.action.VIEW",
                Uri.parse("https://support.example.com/settings-help")));
    }
}
