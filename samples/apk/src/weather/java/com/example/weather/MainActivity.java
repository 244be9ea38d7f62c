// Java rendering of smali/com/example/weather/MainActivity.smali, for readers.
// Not compiled: Debian ships no dx/d8, so the smali is the source of classes.dex.
package com.example.weather;

import android.app.Activity;
import android.os.Bundle;

public class MainActivity extends Activity {
    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        new Thread(new ForecastFetcher()).start();
    }
}
