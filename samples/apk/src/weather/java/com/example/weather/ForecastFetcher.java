// Java rendering of smali/com/example/weather/ForecastFetcher.smali (not compiled).
package com.example.weather;

import java.io.IOException;
import java.net.URL;
import javax.net.ssl.HttpsURLConnection;

public class ForecastFetcher implements Runnable {
    @Override
    public void run() {
        try {
            HttpsURLConnection c =
                    (HttpsURLConnection) new URL("https://api.example.com/forecast").openConnection();
            c.getInputStream().close();
            c.disconnect();
        } catch (IOException ignored) {
        }
    }
}
