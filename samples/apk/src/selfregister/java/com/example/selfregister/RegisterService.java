// Java rendering of smali/com/example/selfregister/RegisterService.smali (not compiled).
package com.example.selfregister;

import android.app.Service;
import android.content.Intent;
import android.os.IBinder;

public class RegisterService extends Service {
    @Override
    public IBinder onBind(Intent intent) {
        return null;
    }

    @Override
    public int onStartCommand(Intent intent, int flags, int startId) {
        new Thread(new Registrar(this)).start();
        return START_NOT_STICKY;
    }
}
