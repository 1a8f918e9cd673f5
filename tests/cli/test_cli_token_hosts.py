"""Outside demo mode, the command line refuses to send a sign-in to a host that isn't Microsoft's.

The demo server stands in for "some HTTPS server": real TLS, real CA file. Pointed at it through QC_*
variables without QC_DEMO, the command is a setup problem (exit 7) in plain words naming the setting,
before any sign-in is attempted. With QC_DEMO=1 the same settings are the demo (the other CLI tests).
"""

from __future__ import annotations

from cli_helpers import run_cli


def test_qc_variables_cannot_point_a_real_sign_in_at_another_server(cli_env, demo_server) -> None:
    env = {k: v for k, v in cli_env.items() if k != "QC_DEMO"}
    result = run_cli(env, "whoami")
    assert result.rc == 7, (result.out, result.err)
    said = result.out + result.err
    assert "only IT's machine-wide settings file" in said and "QC_CA_BUNDLE" in said
    assert "Traceback" not in said

    # Without the CA file: the host itself is refused.
    env.pop("QC_CA_BUNDLE")
    result = run_cli(env, "whoami")
    assert result.rc == 7 and "isn't one of Microsoft's addresses" in result.out + result.err
