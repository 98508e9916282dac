import type { FixDefinitions, IContainedSet, MsgView } from 'jspurefix';

/**
 * The session-level checks FIX 4.4 asks of every message an acceptor takes (FIX's session test cases 14a-i; QuickFIX's
 * acceptance cases of the same numbers; decision 301), against the FIX 4.4 dictionary. Each finding is what the
 * session Reject (35=3) carries: the field (RefTagID 371), the SessionRejectReason (373) and a line of text. The
 * library checked only unknown tags, tags of another message type and missing required ones, named neither tag
 * in RefTagID nor told the first two apart, and let a bad enum, a bad number or time, a repeated tag, a header field
 * after the body and a wrong group count through to the application.
 */
export interface SessionProblem {
  readonly tag: number;
  readonly reason: number;
  readonly text: string;
}

/** SessionRejectReason (373) values used here. */
export const Reason = {
  InvalidTag: 0,
  RequiredTagMissing: 1,
  TagNotDefinedForMsgType: 2,
  TagWithoutValue: 4,
  ValueOutOfRange: 5,
  IncorrectDataFormat: 6,
  SendingTimeAccuracy: 10,
  RepeatedTag: 13,
  OutOfOrder: 14,
  GroupCount: 16,
} as const;

/** Per message type: the tags that may repeat (inside a repeating group) and, per NumInGroup tag, its group's first tag. */
interface Shape {
  readonly inGroup: Set<number>;
  readonly firstOfGroup: Map<number, number>;
}

const shapes = new WeakMap<IContainedSet, Shape>();
const headers = new WeakMap<FixDefinitions, IContainedSet | undefined>();

interface FieldLike {
  readonly type: number;
  readonly definition: IContainedSet & { readonly noOfField?: { readonly tag: number } | null };
}

function shapeOf(set: IContainedSet): Shape {
  let shape = shapes.get(set);
  if (shape !== undefined) return shape;
  shape = { inGroup: new Set(), firstOfGroup: new Map() };
  const walk = (s: IContainedSet, inGroup: boolean): void => {
    for (const f of s.fields as unknown as FieldLike[]) {
      // ContainedFieldType: 0 component, 1 group, 2 simple.
      if (f.type === 2) continue;
      const d = f.definition;
      if (f.type === 1) {
        const first = d.firstSimple?.definition.tag;
        if (d.noOfField && first !== undefined) shape!.firstOfGroup.set(d.noOfField.tag, first);
        for (const k of Object.keys(d.containedTag)) shape!.inGroup.add(Number(k));
      }
      walk(d, inGroup || f.type === 1);
    }
  };
  walk(set, false);
  shapes.set(set, shape);
  return shape;
}

function headerOf(definitions: FixDefinitions): IContainedSet | undefined {
  if (!headers.has(definitions)) headers.set(definitions, definitions.component.get('StandardHeader'));
  return headers.get(definitions);
}

const INT = /^-?\d+$/;
const FLOAT = /^-?(\d+\.?\d*|\.\d+)$/;
const TIMESTAMP = /^\d{8}-\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/;
const DATE = /^\d{8}$/;
const TIME = /^\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/;
const MONTH_YEAR = /^\d{6}(\d{2}|w\d)?$/;

/** Why `value` is not of the FIX type `type` (QuickFIX's field types, as the dictionary names them), or false. */
function badFormat(type: string, value: string): boolean {
  switch (type) {
    case 'INT':
    case 'LENGTH':
    case 'NUMINGROUP':
    case 'SEQNUM':
    case 'DAYOFMONTH':
      return !INT.test(value);
    case 'FLOAT':
    case 'QTY':
    case 'PRICE':
    case 'PRICEOFFSET':
    case 'AMT':
    case 'PERCENTAGE':
      return !FLOAT.test(value);
    case 'CHAR':
      return value.length !== 1;
    case 'BOOLEAN':
      return value !== 'Y' && value !== 'N';
    case 'UTCTIMESTAMP':
      return !TIMESTAMP.test(value);
    case 'UTCDATEONLY':
    case 'UTCDATE':
    case 'LOCALMKTDATE':
      return !DATE.test(value);
    case 'UTCTIMEONLY':
      return !TIME.test(value);
    case 'MONTHYEAR':
      return !MONTH_YEAR.test(value);
    default:
      return false;
  }
}

/** The types `badFormat` checks. */
const FORMATTED = new Set(['INT', 'LENGTH', 'NUMINGROUP', 'SEQNUM', 'DAYOFMONTH', 'FLOAT', 'QTY', 'PRICE', 'PRICEOFFSET', 'AMT', 'PERCENTAGE', 'CHAR', 'BOOLEAN', 'UTCTIMESTAMP', 'UTCDATEONLY', 'UTCDATE', 'LOCALMKTDATE', 'UTCTIMEONLY', 'MONTHYEAR']);

/** Per tag below 10,000 (FIX's own), the message it was last seen in (`generation`): repeated tags found without a set per message. */
const stamps = new Uint32Array(10_000);
let generation = 0;

/** BeginString, BodyLength, MsgType and CheckSum: the framing, checked where the message is read (garbled, 2t). */
const FRAMING = new Set([8, 9, 10, 35]);

/**
 * The first session-level problem of a message of a logged-on session, or undefined. One walk over the fields
 * the parser found, in the order QuickFIX reports them: a header field after a body field (14), an unknown tag (0),
 * an empty value (4), a tag given twice outside a repeating group (13), a tag of another message type (2), then a
 * required tag missing (1), a value not of its type (6) or not among its enumerated values (5), a NumInGroup count
 * unlike the group's entries (16).
 */
export function sessionProblem(view: MsgView, definitions: FixDefinitions): SessionProblem | undefined {
  const tags = view.structure?.tags;
  const set = view.segment?.set;
  if (tags === undefined || set == null) return undefined;
  const header = headerOf(definitions);
  const buffer = (view as unknown as { buffer: { get(pos: number): number; getString(from: number, to: number): string } }).buffer;
  const shape = shapeOf(set);
  // Tags seen in this message: a stamp per tag (no set made per message).
  if (++generation === 0xffffffff) {
    stamps.fill(0);
    generation = 1;
  }
  let inBody = false;
  let later: SessionProblem | undefined;
  for (let i = 0; i < tags.nextTagPos; i++) {
    const p = tags.tagPos[i]!;
    const tag = p.tag;
    if (FRAMING.has(tag)) continue;
    const isHeader = header?.containedTag[tag] === true;
    if (isHeader && inBody) return { tag, reason: Reason.OutOfOrder, text: `Tag specified out of required order: header field ${tag} after the body` };
    if (!isHeader) inBody = true;
    const def = definitions.tagToSimple[tag];
    if (tag <= 0 || def === undefined) return { tag, reason: Reason.InvalidTag, text: `Invalid tag number: ${tag} is no FIX 4.4 field` };
    if (p.len === 0) return { tag, reason: Reason.TagWithoutValue, text: `Tag specified without a value: ${def.name} (${tag})` };
    if (tag < stamps.length) {
      if (stamps[tag] === generation && !shape.inGroup.has(tag)) return { tag, reason: Reason.RepeatedTag, text: `Tag appears more than once: ${def.name} (${tag})` };
      stamps[tag] = generation;
    }
    if (!isHeader && set.containedTag[tag] !== true) return { tag, reason: Reason.TagNotDefinedForMsgType, text: `Tag not defined for this message type: ${def.name} (${tag})` };
    // A free-text field (STRING and the like, no enumeration) has nothing more to check: its value is not read. Nor
    // is a header field's (MsgSeqNum and SendingTime are read, and judged, by the sequence and header checks).
    if (later !== undefined || isHeader || (!FORMATTED.has(def.type) && !def.isEnum())) continue;
    // One character (most enumerations): V8's one-character strings are shared, nothing allocated.
    const value = p.len === 1 ? String.fromCharCode(buffer.get(p.start)) : buffer.getString(p.start, p.start + p.len);
    if (badFormat(def.type, value)) later = { tag, reason: Reason.IncorrectDataFormat, text: `Incorrect data format for value: ${def.name} (${tag}) '${value}' is no ${def.type}` };
    else if (def.isEnum() && !(def.type.startsWith('MULTIPLE') ? value.split(' ').every((v) => def.containsEnum(v)) : def.containsEnum(value))) {
      later = { tag, reason: Reason.ValueOutOfRange, text: `Value is incorrect (out of range) for this tag: ${def.name} (${tag}) '${value}'` };
    } else if (shape.firstOfGroup.has(tag)) {
      const first = shape.firstOfGroup.get(tag)!;
      let n = 0;
      for (let j = i + 1; j < tags.nextTagPos; j++) if (tags.tagPos[j]!.tag === first) n++;
      if (n !== Number(value)) later = { tag, reason: Reason.GroupCount, text: `Incorrect NumInGroup count for repeating group: ${def.name} (${tag}) is ${value}, the group has ${n}` };
    }
  }
  const missing = view.missing();
  if (missing.length > 0) {
    const tag = missing[0]!;
    return { tag, reason: Reason.RequiredTagMissing, text: `Required tag missing: ${definitions.tagToSimple[tag]?.name ?? tag} (${tag})` };
  }
  return later;
}

/** Whether a message holds a field whose tag is no tag of the dictionary (a tag garbled on the wire). */
export function hasUnknownTag(view: MsgView, definitions: FixDefinitions): boolean {
  const tags = view.structure?.tags;
  if (tags === undefined) return false;
  for (let i = 0; i < tags.nextTagPos; i++) {
    const tag = tags.tagPos[i]!.tag;
    if (!(tag > 0) || definitions.tagToSimple[tag] === undefined) return true;
  }
  return false;
}

/** OnBehalfOf (115, 116, 144) to DeliverTo (128, 129, 145) and back: an answer's header routes back (QuickFIX's ReverseRoute). */
const REVERSE: readonly [number, string][] = [
  [115, 'DeliverToCompID'],
  [116, 'DeliverToSubID'],
  [144, 'DeliverToLocationID'],
  [128, 'OnBehalfOfCompID'],
  [129, 'OnBehalfOfSubID'],
  [145, 'OnBehalfOfLocationID'],
];

/** The header fields that route an answer to `view` back to where it came from (empty ones left out). */
export function reverseRoute(view: MsgView): Record<string, string> | undefined {
  let route: Record<string, string> | undefined;
  for (const [tag, name] of REVERSE) {
    const v = view.getString(tag);
    if (v) (route ??= {})[name] = v;
  }
  return route;
}
