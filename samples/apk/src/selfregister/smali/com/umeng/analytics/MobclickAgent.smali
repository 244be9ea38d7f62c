.class public Lcom/umeng/analytics/MobclickAgent;
.super Ljava/lang/Object;
.source "MobclickAgent.java"

# Stand-in for the Umeng analytics SDK entry point: only the class name and the
# collector URL matter to a scanner; the body logs instead of uploading.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static onEvent(Landroid/content/Context;Ljava/lang/String;)V
    .registers 4
    const-string v0, "https://ulogs.umeng.com/unify_logs"
    const-string v1, "MobclickAgent"
    invoke-static {v1, v0}, Landroid/util/Log;->i(Ljava/lang/String;Ljava/lang/String;)I
    return-void
.end method
