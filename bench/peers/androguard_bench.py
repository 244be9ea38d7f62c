"""androguard peer for bench/run.ts: one Python process over many APKs, so start-up is paid once.

usage: androguard_bench.py manifest-strings|analyze APK...
prints one JSON line: {"apks": n, "failed": n, "strings": n, "seconds": s}
"""
import json
import logging
import sys
import time

logging.disable(logging.CRITICAL)  # androguard logs every tampered chunk; logging is not what is measured

from androguard.core.bytecodes.apk import APK  # noqa: E402
from androguard.core.bytecodes.dvm import DalvikVMFormat  # noqa: E402
from androguard.misc import AnalyzeAPK  # noqa: E402


def manifest_strings(path):
    a = APK(path)
    a.get_android_manifest_xml()
    n = 0
    for dex in a.get_all_dex():
        n += len(DalvikVMFormat(dex).get_strings())
    return n


def analyze(path):
    _a, dexes, dx = AnalyzeAPK(path)
    return sum(len(d.get_strings()) for d in dexes)


def main():
    mode, paths = sys.argv[1], sys.argv[2:]
    fn = {"manifest-strings": manifest_strings, "analyze": analyze}[mode]
    t0 = time.monotonic()
    failed = strings = 0
    for p in paths:
        try:
            strings += fn(p)
        except Exception:  # hostile corpus APKs: androguard's failure is a result, not a bench error
            failed += 1
    print(json.dumps({"apks": len(paths), "failed": failed, "strings": strings, "seconds": time.monotonic() - t0}))


if __name__ == "__main__":
    main()
