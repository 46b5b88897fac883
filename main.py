"""Backprop Studio's entry point.

    python main.py                      the studio window on a built-in example
    python main.py DATA.csv             the window with that file;  --example NAME for an example
    python main.py train DATA.csv ...   headless training (see `python main.py train --help`)
    python main.py predict MODEL DATA.csv [--out predictions.csv]
    python main.py export MODEL OUT.(npz|json|csv|zip|safetensors|onnx|py)

User errors print one plain line on stderr and exit with code 2; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

EXIT_USER_ERROR = 2
COMMANDS = ("train", "predict", "export")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad option as one line (no usage dump) and exits 2."""

    def error(self, message):
        raise SystemExit(_fail(f"{self.prog}: {message} (see --help)"))


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USER_ERROR


SHEET_HELP = "the sheet of an .xlsx / .ods workbook to read (default: its largest)"


def _whole_number(minimum: int):
    """An argparse type: a whole number of at least `minimum`, refused with the same words the core uses."""
    def parse(text):
        value = int(text)
        if value < minimum:
            wanted = "zero or positive" if minimum == 0 else f"at least {minimum}"
            raise argparse.ArgumentTypeError(f"must be {wanted}, not {text}")
        return value
    parse.__name__ = "whole number"          # argparse's "invalid whole number value: 'x'"
    return parse


def _layers(text):
    text = text.strip()
    if text in ("", "none", "0"):
        return ()
    try:
        sizes = tuple(int(t) for t in text.replace(" ", "").split(",") if t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of layer sizes such as 8,8") from None
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError("every hidden layer needs at least one neuron")
    return sizes


def train_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="main.py train", description="Train a network on a CSV file (or a built-in example).")
    p.add_argument("data", nargs="?", help="CSV file (also .tsv, .txt, Excel .xlsx, LibreOffice .ods, Weka .arff, "
                                           "sktime .ts, JSON records; compressed (.gz, .bz2, .xz) or zipped; omit with --example)")
    p.add_argument("--example", help="built-in data set: xor, circles, moons, spiral, blobs, product, sine, iris")
    p.add_argument("--sheet", help=SHEET_HELP)
    p.add_argument("--target", action="append", default=None, help="target column (repeat for several; default: last)")
    p.add_argument("--ignore", action="append", default=None, help="column to leave out (repeatable)")
    p.add_argument("--input", action="append", default=None,
                   help="column to use as an input although it would be left out (an identifier, dates written "
                        "otherwise, mostly empty; repeatable)")
    p.add_argument("--categorical", action="append", default=None, metavar="COLUMN",
                   help="a column of numbers to read as categories, one input per value (codes such as a store "
                        "or region number; repeatable)")
    p.add_argument("--task", choices=["auto", "classification", "regression"], default="auto",
                   help="auto: text or a few whole numbers → classification, other numbers → regression")
    p.add_argument("--layers", type=_layers, default=None, help="hidden layer sizes, e.g. 8,8 (default 8)")
    p.add_argument("--activation", default=None,
                   help="hidden activation: sigmoid, tanh, relu, leaky_relu, elu, softplus, linear, sign "
                        "(default tanh)")
    p.add_argument("--output-activation", default="auto",
                   help="auto (softmax for > 2 classes, sigmoid for 2, linear for numbers) or an activation name")
    p.add_argument("--loss", default="auto", help="auto (follows the output), mse (the article's ½Σ(t−o)²), "
                                                  "cross-entropy, binary-cross-entropy")
    p.add_argument("--optimizer", choices=["sgd", "momentum", "adam"], default="sgd",
                   help="sgd is the article's Δw = −η ∂E/∂w (default)")
    p.add_argument("--lr", type=float, default=None, help="learning rate η (default: 0.1 sgd, 0.05 momentum, 0.01 adam)")
    p.add_argument("--momentum", type=float, default=0.9, help="momentum μ for --optimizer momentum (default 0.9)")
    p.add_argument("--l2", type=float, default=0.0, help="L2 weight decay λ (default 0: off)")
    p.add_argument("--batch-size", type=_whole_number(0), default=32, help="1 = online, 0 = full batch (default 32)")
    p.add_argument("--epochs", type=_whole_number(1), default=500, help="at most this many epochs (default 500)")
    p.add_argument("--target-error", type=float, default=None, help="stop when the training error is below this")
    p.add_argument("--patience", type=_whole_number(1), default=None, help="early stopping on validation loss")
    p.add_argument("--val-split", type=float, default=None,
                   help="validation fraction (default 0.2; an example's own default with --example)")
    p.add_argument("--split", choices=["random", "latest"], default="random",
                   help="validation rows: drawn at random (default), or the latest ones, by the first date column "
                        "or else the file's order, as a forecast is judged")
    p.add_argument("--scaling", choices=["standardize", "minmax", "minmax_sym", "none"], default="standardize",
                   help="input scaling, fitted on the training rows (default standardize)")
    p.add_argument("--missing", choices=["drop", "fill"], default="drop",
                   help="rows with empty input cells: drop them (default) or fill with the training mean / "
                        "most frequent value")
    p.add_argument("--seed", type=int, default=0, help="seed of the split, the weights and the shuffling (default 0)")
    p.add_argument("--init", choices=["xavier", "he", "uniform"], default="xavier", help="weight init (default xavier)")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32", help="precision (default float32)")
    p.add_argument("--export", metavar="PATH", help="write the trained model (format from the suffix)")
    p.add_argument("--json", action="store_true", help="print a JSON summary as the last line of stdout")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


DEFAULT_LR = {"sgd": 0.1, "momentum": 0.05, "adam": 0.01}


def _load_data(args):
    from core.errors import DataError

    options = dict(targets=args.target, ignore=args.ignore, also_inputs=args.input, categorical=args.categorical,
                   task=args.task, scaling=args.scaling, missing=args.missing, val_split=args.val_split,
                   seed=args.seed, dtype=args.dtype, split=args.split)
    if args.val_split is not None and not 0 <= args.val_split < 1:
        raise DataError(f"--val-split must be between 0 and 1 (got {args.val_split}).")
    if args.example:
        if args.data:
            raise DataError("Give either a CSV file or --example, not both.")
        if args.sheet:
            raise DataError("--sheet picks a sheet of a workbook file; an example has none.")
        from core.examples import EXAMPLES, load_example
        dataset = load_example(args.example, **{k: v for k, v in options.items() if v is not None})
        return dataset, EXAMPLES[args.example]
    if not args.data:
        raise DataError("No data: give a CSV file or --example NAME.")
    if not os.path.exists(args.data):
        raise DataError(f"{args.data}: no such file.")
    from core.data import load_csv
    options["val_split"] = 0.2 if args.val_split is None else args.val_split
    try:
        return load_csv(args.data, sheet=args.sheet, **options), None
    except DataError as exc:
        if args.target is None and ("target column '" in str(exc) or "target '" in str(exc)):
            # the last column is only the default: say how to pick the one the user means
            if "choose another target" in str(exc):
                raise DataError(f"{exc} (--target NAME; the last column is only the default)") from None
            raise DataError(f"{exc} The target defaults to the last column; choose another with --target NAME.") \
                from None
        if "give a column the role input" in str(exc):
            raise DataError(f"{exc} (--input NAME, --target NAME)") from None
        if "filling missing values instead keeps them" in str(exc):
            raise DataError(f"{exc} (--missing fill)") from None
        raise


def _describe_data(dataset) -> None:
    """What the loader made of the file, with the results (an error stays the only line on stderr, and
    --json keeps stdout to its one object)."""
    if dataset.task == "classification":
        names = dataset.class_names or []
        shown = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
        what = f"{len(names)} classes: {shown}"
    else:
        what = "regression"
    pre = dataset.preprocessor

    def count(n, word):
        return f"{n} {word}{'' if n == 1 else 's'}"
    print(f"data: {dataset.n_train} training / {count(dataset.n_val, 'validation row')}; "
          f"{count(len(pre.input_columns), 'input column')} ({count(dataset.n_features, 'feature')}) → "
          f"{', '.join(pre.target_columns)} ({what})")
    for note in dataset.notes:
        print(f"note: {note}")


class _Progress:
    """A one-line terminal progress bar on stderr, redrawn at most 10 times a second."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self._last = total, enabled, 0.0

    def update(self, report, force=False):
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        done = report.epoch / self.total
        bar = "█" * int(30 * done) + "░" * (30 - int(30 * done))
        eta = report.elapsed / done * (1 - done) if done > 0 else 0.0
        val = f" val {report.val_loss:.4g}" if report.val_loss is not None else ""
        sys.stderr.write(f"\r{bar} epoch {report.epoch}/{self.total}  loss {report.train_loss:.4g}{val}"
                         f"  ETA {eta:4.0f}s ")
        sys.stderr.flush()

    def close(self):
        if self.enabled:
            sys.stderr.write("\n")


def cmd_train(argv) -> int:
    args = train_parser().parse_args(argv)
    from core.losses import resolve_output
    from core.network import Network
    from core.optimizers import make_optimizer
    from core.training import TrainConfig, evaluate, train

    if args.export:
        from core.export import check_export_path
        check_export_path(args.export)          # before the run, which a bad path would otherwise lose
    dataset, example = _load_data(args)
    hidden = args.layers if args.layers is not None else (example.default_hidden if example else (8,))
    activation = args.activation or (example.default_activation if example else "tanh")
    chosen_loss = args.loss if args.loss != "auto" or example is None else example.default_loss
    output_activation, loss = resolve_output(dataset.task, dataset.n_outputs, args.output_activation, chosen_loss)
    network = Network([dataset.n_features, *hidden, dataset.n_outputs],
                      [*([activation] * len(hidden)), output_activation], loss,
                      init=args.init, seed=args.seed, dtype=args.dtype)
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    optimizer = make_optimizer(args.optimizer, lr, momentum=args.momentum, l2=args.l2)
    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size or None,
                         target_error=args.target_error, patience=args.patience, seed=args.seed)
    inverse = dataset.preprocessor.inverse_outputs if dataset.task == "regression" else None
    progress = _Progress(args.epochs, enabled=sys.stderr.isatty() and not args.quiet)
    report, losses = None, []
    for report in train(network, optimizer, dataset.X_train, dataset.Y_train, dataset.X_val, dataset.Y_val,
                        config, task=dataset.task, target_inverse=inverse):
        progress.update(report, force=report.stop_reason is not None)
        losses.append((report.train_loss, math.nan if report.val_loss is None else report.val_loss))
    progress.close()

    # Metrics of the weights actually kept (early stopping may have restored earlier ones).
    val_loss, metrics = evaluate(network, dataset.X_val, dataset.Y_val, dataset.task, inverse)
    train_loss, _ = evaluate(network, dataset.X_train, dataset.Y_train, None)
    summary = {
        "epochs": report.epoch,
        "stop_reason": report.stop_reason,
        "train_loss": _finite_or_none(train_loss),
        "val_loss": _finite_or_none(val_loss),
        "val_accuracy": _finite_or_none(metrics.get("val_accuracy")),
        "val_r2": _finite_or_none(metrics.get("val_r2")),
        "val_rmse": _finite_or_none(metrics.get("val_rmse")),
        "samples_per_second": report.samples_per_second,
        "elapsed_s": report.elapsed,
    }
    written = _export_or_keep(args.export, network, dataset.preprocessor) if args.export else None
    if args.json:
        # stdout keeps to its one object; what the loader noticed still reaches a person or a log
        for note in dataset.notes:
            print(f"note: {note}", file=sys.stderr)
        if args.patience is None:
            _print_overfitting(losses, file=sys.stderr)
        print(json.dumps(summary))
    else:
        _describe_data(dataset)
        print(f"{network.layer_sizes} {'-'.join(network.activations)} {network.loss}: "
              f"{summary['epochs']} epochs ({summary['stop_reason']}) in {summary['elapsed_s']:.2f} s, "
              f"{summary['samples_per_second']:,.0f} samples/s")
        print(f"train loss {train_loss:.5g}" + (f", validation loss {val_loss:.5g}" if math.isfinite(val_loss) else ""))
        targets = dataset.preprocessor.target_columns
        for key in ("val_accuracy", "val_rmse", "val_r2"):
            if summary[key] is None:
                continue
            if key == "val_rmse" and len(targets) > 1 and inverse is not None:
                # one RMSE over several targets would add up different units: one per target
                import numpy as np

                errors = inverse(network.predict(dataset.X_val)) - inverse(dataset.Y_val)
                each = np.sqrt(np.mean(np.asarray(errors, np.float64) ** 2, axis=0))
                print("val rmse: " + ", ".join(f"{t} {e:.4g}" for t, e in zip(targets, each))
                      + " (each in its target's units)")
            else:
                print(f"{key.replace('_', ' ')}: {summary[key]:.4f}")
        if summary["val_accuracy"] is not None:
            _print_baseline(network, dataset)
        if args.patience is None:
            _print_overfitting(losses)
        if written is not None:
            print(f"model written to {written}")        # last: the results start with what the file gave
    return 0


def _print_overfitting(losses, file=None) -> None:
    """The window's overfitting warning: a run that ends well past its best validation loss says so."""
    from core.inspect import overfitting_epoch

    train_losses, val_losses = zip(*losses) if losses else ((), ())
    best = overfitting_epoch(train_losses, val_losses)
    if best is not None:
        print(f"note: the validation loss was lowest at epoch {best + 1} ({val_losses[best]:.5g}) and ended at "
              f"{val_losses[-1]:.5g} while the training loss fell: the network overfits its training rows; "
              "--patience 20 stops there and keeps that epoch's weights.", file=file)


def _print_baseline(network, dataset) -> None:
    """With one class holding most validation rows, what always answering it scores (as the window says)."""
    from core.evaluation_support import confusion

    result = confusion(network, dataset.X_val, dataset.Y_val, dataset.n_classes)
    if result.baseline is not None:
        k, share = result.baseline
        print(f"always answering '{dataset.class_names[k]}' would score {share:.4f}; "
              f"balanced accuracy (mean recall) {result.balanced_accuracy:.4f}")


def _finite_or_none(value):
    return float(value) if value is not None and math.isfinite(value) else None


def cmd_predict(argv) -> int:
    p = _Parser(prog="main.py predict", description="Predict a CSV file with a saved model.")
    p.add_argument("model")
    p.add_argument("data")
    p.add_argument("--out", help="write predictions to this CSV (default: print them)")
    p.add_argument("--sheet", help=SHEET_HELP)
    args = p.parse_args(argv)
    from pathlib import Path

    from core.data import named_for_model, read_csv, rows_with_values, with_empty_rows
    from core.errors import DataError
    from core.export import load_model, predict_rows

    loaded = load_model(args.model)
    pre = loaded.preprocessor
    table = read_csv(args.data, sheet=args.sheet, decimal=pre.decimal if pre is not None else None)
    rows, skipped = rows_with_values(table)
    renamed = []
    if pre is not None:
        rows, renamed = named_for_model(rows, pre.input_columns)
    try:
        predictions = with_empty_rows(predict_rows(loaded, rows), rows)
        made_up = pre.input_notes(rows) if pre is not None else []
    except DataError as exc:
        name = Path(args.data).name
        raise DataError(str(exc) if name in str(exc) else f"{name}: {exc}") from None
    for note in [*table.notes, *skipped, *renamed, *made_up]:      # stderr: stdout may be the predictions themselves
        print(f"note: {note}", file=sys.stderr)
    if args.out:
        from core.atomic import atomic_write_text
        atomic_write_text(args.out, predictions.to_csv(index=False))
        print(f"{len(rows)} predictions written to {args.out}")
    else:
        sys.stdout.write(predictions.to_csv(index=False))
    return 0


def _export(path, network, preprocessor):
    """Write the model (format from the suffix) and its caveats as notes on stderr: stdout's last line may be
    --json's. Returns the path written."""
    from core.export import export_model, export_notes

    written = export_model(path, network, preprocessor)
    for note in export_notes(written, network, preprocessor):
        print(f"note: {note}", file=sys.stderr)
    return written


def _export_or_keep(path, network, preprocessor):
    """_export, and when that fails, the trained network kept beside it as a .npz (a new name, never over a
    file) so the run is not lost; the error still ends the command (exit 2), naming where the model went."""
    from core.errors import BackpropError

    try:
        return _export(path, network, preprocessor)
    except BackpropError as exc:
        from pathlib import Path

        from core.export import export_model

        base = Path(path)
        for k in range(100):
            spare = base.with_name(f"{base.stem}{'' if k == 0 else f'-{k}'}.npz")
            if not spare.exists() and spare != base:
                break
        try:
            kept = export_model(spare, network, preprocessor)
        except BackpropError:
            raise exc from None
        raise type(exc)(f"{str(exc).rstrip('.')}. The trained model was saved as {kept} instead; "
                        f"'main.py export {kept} {path}' converts it later.") from None


def cmd_export(argv) -> int:
    p = _Parser(prog="main.py export", description="Convert a saved model to another format.")
    p.add_argument("model", help="a .npz, .json, .safetensors, .csv or .zip model (or a .bpstudio project)")
    p.add_argument("out", help="destination; the suffix picks the format")
    args = p.parse_args(argv)
    from core.export import load_model

    loaded = load_model(args.model)
    print(f"model written to {_export(args.out, loaded.network, loaded.preprocessor)}")
    return 0


def cmd_gui(argv) -> int:
    p = _Parser(prog="main.py", description="Backprop Studio. Subcommands: train, predict, export.")
    p.add_argument("data", nargs="?", help="a CSV file to open")
    p.add_argument("--example", help="open a built-in example instead")
    args = p.parse_args(argv)
    from gui.platform_check import window_problem
    problem = window_problem()
    if problem:
        return _fail(problem)
    from gui.app import run
    return run(args.data, args.example)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv and argv[0] in COMMANDS else None
    handler = {"train": cmd_train, "predict": cmd_predict, "export": cmd_export}.get(command, cmd_gui)
    rest = argv[1:] if command else argv
    try:
        return handler(rest)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        return _fail("interrupted")
    except Exception as exc:  # noqa: BLE001 — the one place that turns errors into a line and a code
        from core.errors import BackpropError
        if isinstance(exc, BackpropError):
            return _fail(str(exc))
        if isinstance(exc, OSError):
            return _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        return _fail(f"unexpected {type(exc).__name__}: {exc} (this is a bug in Backprop Studio)")


if __name__ == "__main__":
    sys.exit(main())
