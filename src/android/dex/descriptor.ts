// Type descriptors (spec: "Dalvik executable format", section "TypeDescriptor semantics") to the
// dotted names reports use: "Lcom/a/B$C;" -> "com.a.B$C" (nested classes keep '$', as in INTERFACE.md).

const PRIMITIVES: Record<string, string> = {
  V: 'void', Z: 'boolean', B: 'byte', S: 'short', C: 'char', I: 'int', J: 'long', F: 'float', D: 'double',
};

export function descriptorToDotted(descriptor: string): string {
  let dims = 0;
  while (descriptor.charCodeAt(dims) === 0x5b /* [ */) dims++;
  const elem = descriptor.slice(dims);
  let name: string;
  if (elem.length >= 2 && elem.charCodeAt(0) === 0x4c /* L */ && elem.charCodeAt(elem.length - 1) === 0x3b /* ; */) {
    name = slashesToDots(elem);
  } else {
    name = PRIMITIVES[elem] ?? elem; // not a descriptor: keep it as it is rather than guess
  }
  return dims ? name + '[]'.repeat(dims) : name;
}

/** Scratch space for slashesToDots; class descriptors are far shorter. */
const scratch = Buffer.allocUnsafe(4096);

/**
 * "Lcom/a/B;" -> "com.a.B". For ASCII descriptors (nearly all) the bytes are rewritten in a
 * scratch buffer and decoded once: several times faster than replaceAll, which matters with
 * tens of thousands of classes per app.
 */
function slashesToDots(elem: string): string {
  const n = elem.length;
  // Every non-ASCII character takes at least 2 bytes in UTF-8, so n bytes written means ASCII.
  if (n <= scratch.length && scratch.write(elem, 0, 'utf8') === n) {
    for (let k = 1; k < n - 1; k++) if (scratch[k] === 0x2f) scratch[k] = 0x2e;
    return scratch.toString('latin1', 1, n - 1);
  }
  return elem.slice(1, -1).replaceAll('/', '.');
}
