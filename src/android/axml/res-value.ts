// Res_value (AOSP libandroidfw ResourceTypes.h): {size u16, res0 u8, dataType u8, data u32},
// shared by binary XML attributes and resources.arsc entries. Formatting follows
// android.util.TypedValue.coerceToString, which is what `aapt dump xmltree` prints.

export const TYPE_NULL = 0x00;
export const TYPE_REFERENCE = 0x01;
export const TYPE_ATTRIBUTE = 0x02;
export const TYPE_STRING = 0x03;
export const TYPE_FLOAT = 0x04;
export const TYPE_DIMENSION = 0x05;
export const TYPE_FRACTION = 0x06;
export const TYPE_DYNAMIC_REFERENCE = 0x07;
export const TYPE_DYNAMIC_ATTRIBUTE = 0x08;
export const TYPE_INT_DEC = 0x10;
export const TYPE_INT_HEX = 0x11;
export const TYPE_INT_BOOLEAN = 0x12;
export const TYPE_INT_COLOR_ARGB8 = 0x1c;
export const TYPE_INT_COLOR_RGB8 = 0x1d;
export const TYPE_INT_COLOR_ARGB4 = 0x1e;
export const TYPE_INT_COLOR_RGB4 = 0x1f;
/** sizeof(Res_value) */
export const RES_VALUE_SIZE = 8;

export type TypedValue =
  | { type: 'string'; value: string }
  | { type: 'int'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'reference'; id: number }
  | { type: 'attribute'; id: number }
  | { type: 'float'; value: number }
  | { type: 'other'; dataType: number; data: number };

const f32 = new DataView(new ArrayBuffer(4));

/**
 * Builds the TypedValue for a Res_value. `str` looks up a string index in the owning pool; when it
 * yields null (index out of range), the value stays `other` so no caller mistakes it for text.
 */
export function decodeResValue(dataType: number, data: number, str: (index: number) => string | null): TypedValue {
  switch (dataType) {
    case TYPE_STRING: {
      const s = str(data >>> 0);
      return s === null ? { type: 'other', dataType, data: data >>> 0 } : { type: 'string', value: s };
    }
    case TYPE_INT_DEC:
    case TYPE_INT_HEX:
      return { type: 'int', value: data | 0 };
    case TYPE_INT_BOOLEAN:
      // Android's TypedArray.getBoolean: any non-zero data is true (aapt writes 0xffffffff).
      return { type: 'bool', value: data !== 0 };
    case TYPE_REFERENCE:
    case TYPE_DYNAMIC_REFERENCE:
      return { type: 'reference', id: data >>> 0 };
    case TYPE_ATTRIBUTE:
    case TYPE_DYNAMIC_ATTRIBUTE:
      return { type: 'attribute', id: data >>> 0 };
    case TYPE_FLOAT:
      f32.setUint32(0, data >>> 0, true);
      return { type: 'float', value: f32.getFloat32(0, true) };
    default:
      return { type: 'other', dataType, data: data >>> 0 };
  }
}

const RADIX_MULTS = [1 / 256, 1 / (1 << 7) / 256, 1 / (1 << 15) / 256, 1 / (1 << 23) / 256];
const DIMENSION_UNITS = ['px', 'dip', 'sp', 'pt', 'in', 'mm'];
const FRACTION_UNITS = ['%', '%p'];

/** android.util.TypedValue.complexToFloat */
export function complexToFloat(complex: number): number {
  return (complex & 0xffffff00) * RADIX_MULTS[(complex >> 4) & 3];
}

/** Text form of a value, as TypedValue.coerceToString / aapt print it ("16.0dip", "#ff000000", "@0x7f040001"). */
export function typedValueToString(v: TypedValue): string {
  switch (v.type) {
    case 'string': return v.value;
    case 'int': return String(v.value);
    case 'bool': return v.value ? 'true' : 'false';
    case 'reference': return `@0x${v.id.toString(16).padStart(8, '0')}`;
    case 'attribute': return `?0x${v.id.toString(16).padStart(8, '0')}`;
    case 'float': return String(v.value);
    case 'other': {
      const { dataType, data } = v;
      if (dataType === TYPE_DIMENSION) return `${fmtFloat(complexToFloat(data))}${DIMENSION_UNITS[data & 0xf] ?? ''}`;
      if (dataType === TYPE_FRACTION) return `${fmtFloat(complexToFloat(data) * 100)}${FRACTION_UNITS[data & 0xf] ?? ''}`;
      if (dataType >= TYPE_INT_COLOR_ARGB8 && dataType <= TYPE_INT_COLOR_RGB4) return `#${(data >>> 0).toString(16).padStart(8, '0')}`;
      if (dataType === TYPE_NULL) return '';
      return `(0x${dataType.toString(16)})0x${(data >>> 0).toString(16)}`;
    }
  }
}

function fmtFloat(x: number): string {
  const s = String(Math.round(x * 1e6) / 1e6);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}
