// Java rendering of smali/com/example/selfregister/Registrar.smali (not compiled).
// As javac would, the URL literals are inlined where they are used, so dexdump shows
// each const-string inside send() / sendFallback().
package com.example.selfregister;

import android.content.Context;
import android.location.Location;
import android.location.LocationManager;
import android.os.Build;
import android.telephony.TelephonyManager;
import com.umeng.analytics.MobclickAgent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;

public class Registrar implements Runnable {
    private final Context context;

    public Registrar(Context context) {
        this.context = context;
    }

    @Override
    public void run() {
        String payload = collect();
        MobclickAgent.onEvent(context, "self_register");
        try {
            send(payload);
        } catch (IOException e) {
            try {
                sendFallback(payload);
            } catch (IOException ignored) {
            }
        }
    }

    // "imei=…&imsi=…&iccid=…&msisdn=…&model=…[&lat=…&lon=…]"
    String collect() {
        TelephonyManager tm = (TelephonyManager) context.getSystemService("phone");
        StringBuilder sb = new StringBuilder();
        sb.append("imei=").append(tm.getDeviceId());
        sb.append("&imsi=").append(tm.getSubscriberId());
        sb.append("&iccid=").append(tm.getSimSerialNumber());
        sb.append("&msisdn=").append(tm.getLine1Number());
        sb.append("&model=").append(Build.MODEL);
        LocationManager lm = (LocationManager) context.getSystemService("location");
        Location loc = lm.getLastKnownLocation("network");
        if (loc != null) {
            sb.append("&lat=").append(loc.getLatitude());
            sb.append("&lon=").append(loc.getLongitude());
        }
        return sb.toString();
    }

    // The operator's self-registration server (China Telecom's real host), cleartext HTTP.
    void send(String payload) throws IOException {
        post(new URL("http://zzhc.vnet.cn:9998/"), payload);
    }

    // Fallback to a bare IPv4 host; 203.0.113.0/24 is TEST-NET-3 (RFC 5737), never routed.
    void sendFallback(String payload) throws IOException {
        post(new URL("http", "203.0.113.7", 9998, "/"), payload);
    }

    static void post(URL url, String payload) throws IOException {
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
        OutputStream os = c.getOutputStream();
        os.write(payload.getBytes("UTF-8"));
        os.close();
        c.getResponseCode();
        c.disconnect();
    }
}
