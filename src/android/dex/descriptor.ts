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
    name = elem.slice(1, -1).replaceAll('/', '.');
  } else {
    name = PRIMITIVES[elem] ?? elem; // not a descriptor: keep it as it is rather than guess
  }
  return dims ? name + '[]'.repeat(dims) : name;
}
