/**
 * Field kinds for the message schemas. One definition per message drives the
 * TypeScript type, the binary codec and the validation of foreign input, so
 * the three can never disagree.
 */
export type Scalar = 'uint' | 'int' | 'f64' | 'str' | 'bool' | 'strs';
export type Kind = Scalar | `${Scalar}?` | readonly string[];

type KindValue<K> = K extends readonly (infer E extends string)[]
  ? E
  : K extends 'str' | 'str?'
    ? string
    : K extends 'bool' | 'bool?'
      ? boolean
      : K extends 'strs' | 'strs?'
        ? readonly string[]
        : number;

type IsOptional<K> = K extends `${string}?` ? true : false;

export type FieldsOf<S extends Record<string, Kind>> = {
  -readonly [k in keyof S as IsOptional<S[k]> extends true ? never : k]: KindValue<S[k]>;
} & {
  -readonly [k in keyof S as IsOptional<S[k]> extends true ? k : never]?: KindValue<S[k]>;
};

/** A message definition: a stable numeric wire code and ordered fields. */
export interface MessageDef {
  readonly code: number;
  readonly fields: Readonly<Record<string, Kind>>;
  /**
   * The codec version (codec.ts CODEC_VERSION) from which this message is
   * written with a presence mask; default 1. A message without optional fields
   * has no mask, so giving it its FIRST optional field changes its layout: that
   * change must bump CODEC_VERSION and set maskSince to the new version, so
   * frames of the older versions are still read without a mask (decision 068).
   * Further optional fields only extend the mask and need neither.
   */
  readonly maskSince?: number;
}

export type MessageUnion<D extends Record<string, MessageDef>> = {
  [T in keyof D & string]: { type: T } & FieldsOf<D[T]['fields']>;
}[keyof D & string];

/** Runtime form of one field, precomputed for the codec. */
export interface FieldSpec {
  readonly name: string;
  readonly scalar: Scalar | 'enum';
  readonly optional: boolean;
  readonly values: readonly string[] | undefined;
}

export interface MessageSpec {
  readonly type: string;
  readonly code: number;
  readonly fields: readonly FieldSpec[];
  /** The codec version from which the message has a presence mask (1 for most; see MessageDef.maskSince). */
  readonly maskSince: number;
}

/** Whether frames of codec `version` write a presence mask for this message. */
export function hasMaskAt(spec: MessageSpec, version: number): boolean {
  return version >= spec.maskSince && spec.fields.some((f) => f.optional);
}

/** Turns message definitions into lookup tables by name and by code. */
export function compileSchemas(defs: Record<string, MessageDef>): {
  byType: Map<string, MessageSpec>;
  byCode: (MessageSpec | undefined)[];
} {
  const byType = new Map<string, MessageSpec>();
  const byCode: (MessageSpec | undefined)[] = [];
  for (const [type, def] of Object.entries(defs)) {
    if (byCode[def.code]) throw new Error(`duplicate message code ${def.code} for ${type}`);
    const fields: FieldSpec[] = Object.entries(def.fields).map(([name, kind]) => {
      if (typeof kind !== 'string') {
        return { name, scalar: 'enum', optional: false, values: kind };
      }
      const optional = kind.endsWith('?');
      return { name, scalar: (optional ? kind.slice(0, -1) : kind) as Scalar, optional, values: undefined };
    });
    const maskSince = def.maskSince ?? 1;
    if (!Number.isSafeInteger(maskSince) || maskSince < 1) throw new Error(`${type}: maskSince must be a version >= 1`);
    if (def.maskSince !== undefined && !fields.some((f) => f.optional)) throw new Error(`${type}: maskSince without an optional field`);
    const spec: MessageSpec = { type, code: def.code, fields, maskSince };
    byType.set(type, spec);
    byCode[def.code] = spec;
  }
  return { byType, byCode };
}
