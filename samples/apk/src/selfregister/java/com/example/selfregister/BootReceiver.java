// Java rendering of smali/com/example/selfregister/BootReceiver.smali, for readers.
// Not compiled: Debian ships no dx/d8, so the smali is the source of classes.dex.
package com.example.selfregister;

import android.content.BroadcastReceiver;
import android.content.Context;
import android.content.Intent;

public class BootReceiver extends BroadcastReceiver {
    // Runs for BOOT_COMPLETED, USER_PRESENT and SIM_STATE_CHANGED alike.
    @Override
    public void onReceive(Context context, Intent intent) {
        context.startService(new Intent(context, RegisterService.class));
    }
}
