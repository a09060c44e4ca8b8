"""``mfc series``: a short run fails loudly on its diagnostics; the CSV holds the headline quantities."""

import contextlib
import io

from helpers.run import cli


def mfc(*args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_series_csv_and_a_run_too_short_to_trust():
    # too few draws for R-hat 1.01 and ESS 400: one line on standard error, exit 2, nothing printed
    code, out, err = mfc("series", "--csv", "--chains", "2", "--warmup", "100", "--draws", "100")
    assert code == 2 and out == ""
    assert err.startswith("mfc series: the series model's sampler did not converge (")
    assert len(err.strip().splitlines()) == 1
