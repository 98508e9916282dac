/**
 * The per-message cost of the FIX acceptor's inbound checks (decision 301), in one process, the two variants run
 * in alternating blocks over the same parsed messages (a NewOrderSingle and a Heartbeat, as a client sends them):
 * - round 18's: the garbled check's CheckSum, then the library's integrity check (the CheckSum again, unknown tags,
 *   tags of another type, required tags missing);
 * - round 19's: the garbled check's CheckSum, then Ordo's `sessionProblem` (header order, unknown, empty, repeated,
 *   other type, missing, format, enum, group count), the CheckSum not summed again.
 * Then the parser itself, bare and wrapped by `skipGarbledFraming` (a try around each chunk of 10 messages).
 * Not part of `npm run bench`: `node dist/bench/fix-inbound-checks.js [blocks] [messagesPerBlock]`. Prints the median
 * ns per message of each variant over its blocks, and their difference.
 */
import 'reflect-metadata';
import { AsciiParser, DefinitionFactory, ElasticBuffer, JsFixConfig, type ISessionDescription, type MsgView } from 'jspurefix';
import { DITokens } from 'jspurefix/dist/runtime/di-tokens.js';
import { AsciiSegmentParser } from 'jspurefix/dist/buffer/ascii/ascii-segment-parser.js';
import { AsciiParserState } from 'jspurefix/dist/buffer/ascii/ascii-parser-state.js';
import { container } from 'tsyringe';
import { sessionProblem } from '../engine/fix/validate.ts';
import { skipGarbledFraming } from '../engine/fix/framing.ts';

const SOH = '\x01';

function fixMessage(fields: [number, string | number][]): string {
  const body = fields.map(([t, v]) => `${t}=${v}${SOH}`).join('');
  const head = `8=FIX.4.4${SOH}9=${body.length}${SOH}`;
  const sum = [...(head + body)].reduce((a, ch) => a + ch.charCodeAt(0), 0) % 256;
  return `${head}${body}10=${String(sum).padStart(3, '0')}${SOH}`;
}

async function main(): Promise<void> {
  const blocks = Number(process.argv[2] ?? 20);
  const perBlock = Number(process.argv[3] ?? 20_000);
  const definitions = await new DefinitionFactory().getDefinitions('data/FIX44.xml');
  const config = new JsFixConfig(null, definitions, { BeginString: 'FIX.4.4' } as unknown as ISessionDescription, SOH.charCodeAt(0));
  // The parser takes its segment parser from the session's container, as jspurefix's runtime makes it.
  const scope = container.createChildContainer();
  scope.registerInstance(DITokens.Definitions, definitions);
  scope.register(AsciiSegmentParser, { useClass: AsciiSegmentParser });
  const receiving = new ElasticBuffer(160 * 1024);
  scope.registerInstance(DITokens.ParseBuffer, receiving);
  scope.register(AsciiParserState, { useClass: AsciiParserState });
  config.sessionContainer = scope;
  const parser = new AsciiParser(config, null, receiving);
  const views: MsgView[] = [];
  parser.on('msg', (_t: string, v: MsgView) => views.push(v.clone()));
  const now = '20261202-14:00:00.000';
  const d = fixMessage([[35, 'D'], [49, 'ALPHA'], [56, 'ORDO'], [34, 2], [52, now], [11, 'c-1'], [21, 1], [55, 'AAPL'], [54, 1], [60, now], [38, 100], [40, 2], [44, '228.50'], [59, 0]]);
  const hb = fixMessage([[35, '0'], [49, 'ALPHA'], [56, 'ORDO'], [34, 3], [52, now]]);
  parser.parseText(d + hb);
  if (views.length !== 2) throw new Error(`parsed ${views.length} messages, expected 2`);
  for (const v of views) if (sessionProblem(v, definitions) !== undefined) throw new Error(`a good message was found bad: ${JSON.stringify(sessionProblem(v, definitions))}`);

  let sink = 0;
  const before = (v: MsgView): void => {
    sink += v.checksum(); // the garbled check
    sink += v.checksum(); // the library's integrity check, again
    sink += v.invalid().length + (v.undefinedForMsg() === null ? 0 : 1) + v.missing().length;
  };
  const after = (v: MsgView): void => {
    sink += v.checksum(); // the garbled check, once
    sink += sessionProblem(v, definitions) === undefined ? 0 : 1;
  };
  const run = (f: (v: MsgView) => void): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < perBlock; i++) f(views[i & 1]!);
    return Number(process.hrtime.bigint() - t0) / perBlock;
  };
  // Warm both up, then alternate.
  run(before);
  run(after);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < blocks; i++) {
    if (i % 2 === 0) {
      a.push(run(before));
      b.push(run(after));
    } else {
      b.push(run(after));
      a.push(run(before));
    }
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
  const ma = median(a);
  const mb = median(b);

  // The parser bare and wrapped by skipGarbledFraming (a try around each chunk), over chunks of 10 messages.
  const makeParser = (): AsciiParser => {
    const buf = new ElasticBuffer(160 * 1024);
    const sc = container.createChildContainer();
    sc.registerInstance(DITokens.Definitions, definitions);
    sc.register(AsciiSegmentParser, { useClass: AsciiSegmentParser });
    sc.registerInstance(DITokens.ParseBuffer, buf);
    sc.register(AsciiParserState, { useClass: AsciiParserState });
    const c = new JsFixConfig(null, definitions, { BeginString: 'FIX.4.4' } as unknown as ISessionDescription, SOH.charCodeAt(0));
    c.sessionContainer = sc;
    const parser = new AsciiParser(c, null, buf);
    parser.on('msg', () => sink++);
    return parser;
  };
  const bare = makeParser();
  const wrapped = makeParser();
  skipGarbledFraming(wrapped, () => true);
  const chunk = Buffer.from((d + hb).repeat(5), 'latin1');
  const parseRun = (parser: AsciiParser): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < perBlock / 10; i++) parser.parseBuffer(chunk, chunk.length);
    return Number(process.hrtime.bigint() - t0) / perBlock;
  };
  parseRun(bare);
  parseRun(wrapped);
  const pa: number[] = [];
  const pb: number[] = [];
  for (let i = 0; i < blocks; i++) {
    if (i % 2 === 0) {
      pa.push(parseRun(bare));
      pb.push(parseRun(wrapped));
    } else {
      pb.push(parseRun(wrapped));
      pa.push(parseRun(bare));
    }
  }
  console.log(
    JSON.stringify({
      blocks,
      perBlock,
      beforeNsPerMsg: Math.round(ma),
      afterNsPerMsg: Math.round(mb),
      diffNs: Math.round(mb - ma),
      parseBareNsPerMsg: Math.round(median(pa)),
      parseGuardedNsPerMsg: Math.round(median(pb)),
      sink: sink > 0,
    }),
  );
}

await main();
