import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../../config/init-config.js';
import { runInit } from '../../ops/init-op.js';
import { examples } from '../help.js';
import { envRedactor, writeLine, type CliIO } from '../io.js';
import { displayPath } from '../render/units.js';

interface InitFlags {
  data?: string;
  evalField?: string;
  json?: boolean;
}

/** `autotune init`: a commented starter config (and sample data) in the current directory. */
export function registerInit(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('init')
    .description(`write a commented ${DEFAULT_CONFIG_FILE} to start from (never overwrites a file)`)
    .argument('[file]', `config to write (default ${DEFAULT_CONFIG_FILE})`)
    .option('--data <file>', 'your JSONL data (default: a 20-row arithmetic sample written beside the config)')
    .option('--eval-field <field>', 'row field holding the expected answer (default: answer)')
    .option('--json', 'print what was written as one JSON object on stdout')
    .addHelpText(
      'after',
      examples([
        ['autotune init && autotune tune', 'start from the sample data, then tune it'],
        ['autotune init --data qa.jsonl --eval-field gold', 'a config for your own data, answers in the field gold'],
        ['autotune init experiments/tune.yaml', 'write the config elsewhere (then: autotune tune -c experiments/tune.yaml)'],
      ]),
    )
    .action((file: string | undefined, flags: InitFlags) => {
      const r = runInit({ cwd: io.cwd, env: io.env, file, data: flags.data, answerField: flags.evalField });
      const show = (p: string): string => displayPath(io.cwd, p);
      if (flags.json) {
        io.stdout.write(`${JSON.stringify({ config: r.config, data: r.data, wrote_sample: r.wroteSample, input_field: r.inputField, answer_field: r.answerField })}\n`);
      } else {
        const redact = envRedactor(io.env);
        if (r.wroteSample) writeLine(io.stderr, `wrote ${show(r.data)}: sample rows ({${r.inputField}} and ${r.answerField}); replace it with your data`, redact);
        writeLine(io.stderr, `wrote ${show(r.config)}: the prompt shows {${r.inputField}}, the eval reads ${r.answerField}`, redact);
        writeLine(io.stderr, `next: autotune tune${show(r.config) === DEFAULT_CONFIG_FILE ? '' : ` -c ${show(r.config)}`}   (spends at most the optimization_budget in the file)`, redact);
      }
      setExit(0);
    });
}
