import { DEFAULT_CONFIG_FILE, runInit } from '../../index.js';
import { defineCommand, flag } from '../command.js';
import { writeLine } from '../io.js';
import { displayPath } from '../render/units.js';

/** `autotune init`: a commented starter config (and sample data) in the current directory. */
export const initCommand = defineCommand({
  name: 'init',
  description: `write a commented ${DEFAULT_CONFIG_FILE} to start from (never overwrites a file)`,
  args: [{ name: 'file', help: `config to write (default ${DEFAULT_CONFIG_FILE})` }],
  flags: {
    data: flag.string('<file>', 'your JSONL data (default: a 20-row arithmetic sample written beside the config)'),
    evalField: flag.string('<field>', 'row field holding the expected answer (default: answer)'),
    json: flag.switch('print what was written as one JSON object on stdout'),
  },
  examples: [
    ['autotune init && autotune tune', 'start from the sample data, then tune it'],
    ['autotune init --data qa.jsonl --eval-field gold', 'a config for your own data, answers in the field gold'],
    ['autotune init experiments/tune.yaml', 'write the config elsewhere (then: autotune tune -c experiments/tune.yaml)'],
  ],
  run: ({ flags, args, ctx }) => {
    const { io, redact } = ctx;
    const r = runInit({ cwd: io.cwd, env: io.env, file: args[0] as string | undefined, data: flags.data, answerField: flags.evalField });
    const show = (p: string): string => displayPath(io.cwd, p);
    if (flags.json) {
      io.stdout.write(`${JSON.stringify({ config: r.config, data: r.data, wrote_sample: r.wroteSample, input_field: r.inputField, answer_field: r.answerField })}\n`);
    } else {
      if (r.wroteSample) writeLine(io.stderr, `wrote ${show(r.data)}: sample rows ({${r.inputField}} and ${r.answerField}); replace it with your data`, redact);
      writeLine(io.stderr, `wrote ${show(r.config)}: the prompt shows {${r.inputField}}, the eval reads ${r.answerField}`, redact);
      writeLine(io.stderr, `next: autotune tune${show(r.config) === DEFAULT_CONFIG_FILE ? '' : ` -c ${show(r.config)}`}   (spends at most the optimization_budget in the file)`, redact);
    }
    return 0;
  },
});
