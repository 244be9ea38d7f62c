// Java rendering of smali/com/umeng/analytics/MobclickAgent.smali (not compiled).
// Stand-in for the Umeng analytics SDK entry point: a scanner should recognise the
// class name and the collector URL; the body only logs.
package com.umeng.analytics;

import android.content.Context;
import android.util.Log;

public class MobclickAgent {
    public static void onEvent(Context context, String eventId) {
        String url = "https://ulogs.umeng.com/unify_logs";
        Log.i("MobclickAgent", url);
    }
}
