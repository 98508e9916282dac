// `npm run gen:codec`: rewrites engine/protocol/codec.generated.ts from the message schemas (see engine/protocol/codegen.ts).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/engine/protocol/', import.meta.url);
const { generateCodecSource } = await import(new URL('codegen.js', dist).href);
const { EVENT_SPECS, COMMAND_SPECS } = await import(new URL('events.js', dist).href);
const target = fileURLToPath(new URL('../engine/protocol/codec.generated.ts', import.meta.url));
writeFileSync(target, generateCodecSource([...EVENT_SPECS.byType.values(), ...COMMAND_SPECS.byType.values()]));
console.log(`wrote ${target}`);
