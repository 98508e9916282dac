import type { ByteReader, ByteWriter } from './bytes.ts';
import type { MessageSpec } from './schema.ts';

/** Thrown for a message that does not fit its schema; the message names the field. */
export class EncodeError extends Error {
  override name = 'EncodeError';
}

/** A frame's or batch's string table as the encoders see it: a string's index, adding it when new. */
export interface StringIds {
  id(s: string): number;
}

/** One message type's encoder: checks every field against the schema and writes it. */
export type Encoder = (w: ByteWriter, msg: Readonly<Record<string, unknown>>, strings: StringIds) => void;
/** One message type's decoder: reads the fields and builds the message (without its code). */
export type Decoder = (r: ByteReader, strings: readonly string[]) => Record<string, unknown>;

/** A decoder into a kept object (the replay's, decision 245): writes every field of the message into `into` and returns it. */
export type DecoderInto = (r: ByteReader, strings: readonly string[], into: Record<string, unknown>) => Record<string, unknown>;

/** One message type's generated functions (codec.generated.ts) and the schema signature they were made from. */
export interface GeneratedCodec {
  readonly signature: string;
  readonly encode: Encoder;
  readonly decode: Decoder;
  /** The decoder of the layout before the message's presence mask, if it got one later. */
  readonly decodeNoMask?: Decoder;
  /** The decoder of the layout with float64 numbers (codec versions before 3), if the message has an f64 field. */
  readonly decodeF64?: Decoder;
  /** For the order lifecycle's types: decoding into a kept object, and making that object (decision 245). */
  readonly decodeInto?: DecoderInto;
  readonly blank?: () => Record<string, unknown>;
}

/** Throws the encoder's error for `type.field`. */
export function encodeFail(type: string, field: string, why: string): never {
  throw new EncodeError(`${type}.${field}: ${why}`);
}

/**
 * A schema's shape in one line (code, then each field's name and kind in
 * order, then the version its mask dates from when not 1): a generated codec is used for a message type only while its
 * signature still matches the schema.
 */
export function schemaSignature(spec: MessageSpec): string {
  const fields = spec.fields.map((f) => `${f.name}:${f.scalar === 'enum' ? `enum(${f.values!.join('|')})` : f.scalar}${f.optional ? '?' : ''}`);
  return `${spec.code} ${fields.join(',')}${spec.maskSince > 1 ? ` mask@${spec.maskSince}` : ''}`;
}
