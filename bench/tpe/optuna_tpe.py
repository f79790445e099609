"""Optuna's TPE as an ask/tell service for the search bench (bench/lib/tpe.mjs).

    python3 bench/tpe/optuna_tpe.py '<space JSON>' SEED

Reads one JSON object per line on stdin and answers one per line on stdout:
  {"op": "ask"}                        -> {"trial": N, "params": {...}}
  {"op": "tell", "trial": N, "value": x} (x null: the trial failed) -> {"ok": true}
The space is a list of dimensions: {"name", "kind": "choice", "options": [...]},
{"name", "kind": "float", "low", "high"}, {"name", "kind": "int", "low", "high", "log"} and
{"name", "kind": "branch", "options": [{"label", "dims": [...]}]} (a choice of sub-spaces).
Optuna's defaults otherwise (TPESampler(seed=SEED): 10 random start-up trials).
"""
import json
import sys

import optuna


def suggest(trial, dims, out):
    for d in dims:
        kind = d["kind"]
        if kind == "choice":
            out[d["name"]] = d["options"][trial.suggest_categorical(d["name"], list(range(len(d["options"]))))]
        elif kind == "float":
            out[d["name"]] = trial.suggest_float(d["name"], d["low"], d["high"])
        elif kind == "int":
            out[d["name"]] = trial.suggest_int(d["name"], d["low"], d["high"], log=bool(d.get("log")))
        elif kind == "branch":
            labels = [o["label"] for o in d["options"]]
            label = trial.suggest_categorical(d["name"], labels)
            suggest(trial, d["options"][labels.index(label)]["dims"], out)
        else:
            raise ValueError("unknown dimension kind " + str(kind))
    return out


def main():
    space = json.loads(sys.argv[1])
    seed = int(sys.argv[2])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    pending = {}
    for line in sys.stdin:
        msg = json.loads(line)
        if msg["op"] == "ask":
            trial = study.ask()
            pending[trial.number] = trial
            reply = {"trial": trial.number, "params": suggest(trial, space, {})}
        elif msg["op"] == "tell":
            trial = pending.pop(msg["trial"])
            if msg["value"] is None:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
            else:
                study.tell(trial, msg["value"])
            reply = {"ok": True}
        else:
            reply = {"error": "unknown op " + str(msg.get("op"))}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
