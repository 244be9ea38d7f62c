.class public Lcom/example/selfregister/RegisterService;
.super Landroid/app/Service;
.source "RegisterService.java"

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Service;-><init>()V
    return-void
.end method

.method public onBind(Landroid/content/Intent;)Landroid/os/IBinder;
    .registers 3
    const/4 v0, 0x0
    return-object v0
.end method

.method public onStartCommand(Landroid/content/Intent;II)I
    .registers 7
    new-instance v0, Ljava/lang/Thread;
    new-instance v1, Lcom/example/selfregister/Registrar;
    invoke-direct {v1, p0}, Lcom/example/selfregister/Registrar;-><init>(Landroid/content/Context;)V
    invoke-direct {v0, v1}, Ljava/lang/Thread;-><init>(Ljava/lang/Runnable;)V
    invoke-virtual {v0}, Ljava/lang/Thread;->start()V
    # START_NOT_STICKY
    const/4 v2, 0x2
    return v2
.end method
