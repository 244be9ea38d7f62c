// V8 settings for a scan, made before any of romscan's code runs hot (main.ts imports this first;
// the flags are process-wide, so worker threads get them too).
//
// TurboFan inlines callees of up to 460 bytecodes by default. A scan is a short process: on a
// directory of APKs most of its code is optimized, deoptimized on new input and optimized again
// within seconds, and compiling big inlined graphs costs more than they save. On a 2-core machine
// (medians of interleaved runs), a limit of 100 cut the CPU time of the APK corpus by ~11 %, of
// the large multidex APK by ~15 % and of a 959-APK image by a few per cent, with wall time equal
// or shorter. V8 reads the flag at each compile, so setting it here is as good as passing it to node.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--max-inlined-bytecode-size=100');
