"""Configuration layers, validation and the first-run save; platform paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from quarantine_checker import paths
from quarantine_checker.config import AppConfig, load_config, parse_tenant, save_user_config
from quarantine_checker.core.errors import ConfigurationError

GUID = "5f2b3c4d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
CLIENT = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "user.toml", tmp_path / "system.toml"


def load(files: tuple[Path, Path], env: dict[str, str] | None = None) -> AppConfig:
    user, system = files
    return load_config(env=env or {}, user_file=user, system_file=system)


def test_nothing_configured_asks_for_the_tenant(files) -> None:
    cfg = load(files)
    assert cfg.needs_tenant and cfg.needs_client_id
    assert cfg.authority is None
    assert cfg.exchange_url == "https://outlook.office365.com"
    assert cfg.check_interval_minutes == 5 and cfg.demo is False


def test_environment_beats_user_file_beats_system_file(files) -> None:
    user, system = files
    system.write_text(f'tenant_id = "contoso.com"\nclient_id = "{CLIENT}"\nhelpdesk = "IT: ext 4357"\n'
                      "check_interval_minutes = 10\n")
    user.write_text('tenant_id = "fabrikam.com"\ncheck_interval_minutes = 15\n')
    cfg = load(files, {"QC_CHECK_INTERVAL": "20"})
    assert cfg.tenant_id == "fabrikam.com"  # user over system
    assert cfg.client_id == CLIENT and cfg.helpdesk == "IT: ext 4357"  # system fills the rest
    assert cfg.check_interval_minutes == 20  # environment over both
    assert cfg.authority == "https://login.microsoftonline.com/fabrikam.com"
    assert cfg.sources["tenant_id"] == f"user file {user}"
    assert cfg.sources["client_id"] == f"system file {system}"
    assert cfg.sources["check_interval_minutes"] == "environment QC_CHECK_INTERVAL"
    assert "default for tenant" in cfg.sources["authority"]


def test_it_can_lock_a_value_against_user_and_environment(files) -> None:
    user, system = files
    system.write_text(f'locked = ["tenant_id"]\ntenant_id = "{GUID.upper()}"\n')
    user.write_text('tenant_id = "fabrikam.com"\n')
    cfg = load(files, {"QC_TENANT_ID": "evil.example"})
    assert cfg.tenant_id == GUID
    assert cfg.sources["tenant_id"].startswith("system file")
    assert sum("locked by IT" in note for note in cfg.notes) == 2


def test_every_environment_variable_is_read(tmp_path: Path, files) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    env = {
        "QC_TENANT_ID": GUID,
        "QC_CLIENT_ID": CLIENT,
        "QC_AUTHORITY": f"https://127.0.0.1:8443/{GUID}/",
        "QC_EXCHANGE_URL": "https://127.0.0.1:8444",
        "QC_CA_BUNDLE": str(ca),
        "QC_HELPDESK": "Call 555-0100",
        "QC_CHECK_INTERVAL": "1",
        "QC_DEMO": "1",
    }
    cfg = load(files, env)
    assert (cfg.tenant_id, cfg.client_id) == (GUID, CLIENT)
    assert cfg.authority == f"https://127.0.0.1:8443/{GUID}"
    assert cfg.exchange_url == "https://127.0.0.1:8444"
    assert cfg.ca_bundle == ca and cfg.demo is True and cfg.helpdesk == "Call 555-0100"
    assert cfg.check_interval_minutes == 1


@pytest.mark.parametrize(("given", "used"), [("0", 1), ("-5", 1), ("61", 60), ("1000000", 60), (" 7 ", 7)])
def test_check_interval_is_clamped_and_the_change_noted(files, given: str, used: int) -> None:
    cfg = load(files, {"QC_CHECK_INTERVAL": given})
    assert cfg.check_interval_minutes == used
    assert bool(cfg.notes) == (given.strip() != str(used))


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"QC_CHECK_INTERVAL": "soon"}, "whole number"),
        ({"QC_AUTHORITY": "http://login.microsoftonline.com/x"}, "https://"),
        ({"QC_EXCHANGE_URL": "outlook.office365.com"}, "https://"),
        ({"QC_EXCHANGE_URL": "https://user:pw@outlook.office365.com"}, "https://"),
        ({"QC_CLIENT_ID": "my-app"}, "GUID"),
        ({"QC_TENANT_ID": "common"}, "isn't one organisation"),
        ({"QC_TENANT_ID": "organizations"}, "isn't one organisation"),
        ({"QC_TENANT_ID": "not a domain"}, "doesn't look like"),
        ({"QC_CA_BUNDLE": "/no/such/ca.pem"}, "doesn't exist"),
        ({"QC_DEMO": "maybe"}, "true or false"),
    ],
)
def test_bad_values_give_plain_configuration_errors(files, env: dict[str, str], words: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        load(files, env)
    assert words in str(err.value)
    assert "Traceback" not in str(err.value)


def test_a_broken_or_huge_file_is_a_configuration_error_naming_the_file(files) -> None:
    user, _ = files
    user.write_text('tenant_id = "unterminated\n')
    with pytest.raises(ConfigurationError, match="can't be read") as err:
        load(files)
    assert str(user) in str(err.value)
    user.write_text("# " + "x" * 100_000)
    with pytest.raises(ConfigurationError, match="too large"):
        load(files)
    user.write_bytes(b"\xff\xfe garbage")
    with pytest.raises(ConfigurationError):
        load(files)


def test_unknown_keys_are_reported_not_fatal(files) -> None:
    user, _ = files
    user.write_text('tenant = "contoso.com"\n')  # a typo for tenant_id
    cfg = load(files)
    assert cfg.needs_tenant
    assert any("'tenant'" in note for note in cfg.notes)


@pytest.mark.parametrize(
    ("typed", "tenant"),
    [
        ("Contoso.com", "contoso.com"),
        ("  alice@Contoso.onmicrosoft.com ", "contoso.onmicrosoft.com"),
        (GUID.upper(), GUID),
        ("{" + GUID + "}", GUID),
        ("\u202econtoso.com\u200b", "contoso.com"),  # invisible characters pasted along
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_what_people_type_for_their_organisation_is_understood(typed: str, tenant: str) -> None:
    assert parse_tenant(typed) == tenant


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "contoso", "<b>contoso.com</b>", "a" * 1_000_000, "con toso.com", "-contoso.com",
     "contoso..com", "http://contoso.com"],
)
def test_hostile_or_wrong_organisation_input_is_refused_plainly(typed: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        parse_tenant(typed)
    assert len(str(err.value)) < 300  # a megabyte of input is not echoed back


def test_first_run_save_round_trips_and_keeps_other_settings(files) -> None:
    user, _ = files
    user.write_text('helpdesk = "Ask \\"Sam\\" at the desk"\n')
    save_user_config({"tenant_id": " Alice@Northwind.Example ", "client_id": CLIENT.upper()}, user_file=user)
    cfg = load(files)
    assert cfg.tenant_id == "northwind.example" and cfg.client_id == CLIENT
    assert cfg.helpdesk == 'Ask "Sam" at the desk'
    save_user_config({"client_id": None}, user_file=user)
    assert load(files).needs_client_id


def test_saving_an_invalid_value_leaves_the_file_untouched(files) -> None:
    user, _ = files
    save_user_config({"tenant_id": "contoso.com"}, user_file=user)
    before = user.read_text()
    with pytest.raises(ConfigurationError):
        save_user_config({"tenant_id": "common"}, user_file=user)
    with pytest.raises(ValueError):
        save_user_config({"password": "x"}, user_file=user)
    assert user.read_text() == before


def test_hostile_helpdesk_text_is_stored_and_read_as_plain_data(files) -> None:
    user, _ = files
    text = 'IT <script>alert(1)</script> "quoted" \\ back\nslash \u202e'
    save_user_config({"helpdesk": text}, user_file=user)
    cfg = load(files)
    assert "<script>" in cfg.helpdesk  # carried as data; the UI escapes it
    assert "\n" not in cfg.helpdesk and "\u202e" not in cfg.helpdesk


def test_description_for_it_names_every_setting_and_its_source(files) -> None:
    user, _ = files
    user.write_text(f'tenant_id = "contoso.com"\nclient_id = "{CLIENT}"\n')
    text = load(files).describe_for_it()
    for key in ("tenant_id", "client_id", "authority", "exchange_url", "ca_bundle", "helpdesk", "demo",
                "check_interval_minutes"):
        assert f"{key} = " in text
    assert f"[user file {user}]" in text and "(not set)" in text


def test_default_files_follow_the_directory_overrides(tmp_path: Path) -> None:
    env = {"QC_CONFIG_DIR": str(tmp_path / "cfg"), "QC_DATA_DIR": str(tmp_path / "data")}
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "config.toml").write_text('tenant_id = "contoso.com"\n')
    assert load_config(env=env, system_file=tmp_path / "none.toml").tenant_id == "contoso.com"
    assert paths.data_dir(env) == tmp_path / "data"
    assert paths.log_dir(env) == tmp_path / "data" / "logs"
    assert paths.state_dir(env).parent == paths.cache_dir(env).parent == tmp_path / "data"
    assert paths.user_config_file(env) == tmp_path / "cfg" / "config.toml"


def test_without_overrides_paths_are_per_user_platform_dirs(tmp_path: Path) -> None:
    env: dict[str, str] = {}
    assert paths.data_dir(env).name == "quarantine-checker"
    assert paths.config_dir(env).name == "quarantine-checker"
    assert "quarantine-checker" in paths.log_dir(env).parts


@pytest.mark.parametrize(
    ("platform", "env", "expected"),
    [
        ("linux", {}, "/etc/xdg/quarantine-checker/config.toml"),
        ("darwin", {}, "/Library/Application Support/Quarantine Checker/config.toml"),
        ("win32", {"ProgramData": r"D:\ProgramData"}, r"D:\ProgramData/Quarantine Checker/config.toml"),
    ],
)
def test_system_file_location_per_os(platform: str, env: dict[str, str], expected: str) -> None:
    assert str(paths.system_config_file(platform, env)).replace("\\", "/") == expected.replace("\\", "/")


# --- where a real token may go ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ("user", "authority", f"https://login.evil.example/{GUID}"),
        ("env", "authority", f"https://login.microsoftonline.com.evil.example/{GUID}"),
        ("user", "exchange_url", "https://outlook.office365.com:8443"),
        ("env", "exchange_url", "https://mail.attacker.example"),
    ],
)
def test_user_file_and_environment_cannot_send_a_real_token_elsewhere(files, where, key, value) -> None:
    user, _ = files
    env = {}
    if where == "user":
        user.write_text(f'tenant_id = "{GUID}"\n{key} = "{value}"\n')
    else:
        env = {"QC_TENANT_ID": GUID, f"QC_{key.upper()}": value}
    with pytest.raises(ConfigurationError) as err:
        load(files, env)
    text = str(err.value)
    assert key in text and "isn't one of Microsoft's addresses" in text
    assert (str(user) if where == "user" else f"QC_{key.upper()}") in text


@pytest.mark.parametrize(
    ("authority", "exchange"),
    [
        ("https://login.microsoftonline.us", "https://outlook.office365.us"),       # GCC High
        ("https://login.microsoftonline.us", "https://webmail.apps.mil"),           # DoD
        ("https://login.partner.microsoftonline.cn", "https://partner.outlook.cn"),  # 21Vianet
        ("https://login.microsoftonline.com", "https://outlook.office.com"),
    ],
)
def test_sovereign_clouds_can_be_chosen_by_the_user(files, authority, exchange) -> None:
    user, _ = files
    user.write_text(f'tenant_id = "{GUID}"\nauthority = "{authority}/{GUID}"\nexchange_url = "{exchange}"\n')
    cfg = load(files)
    assert cfg.authority == f"{authority}/{GUID}" and cfg.exchange_url == exchange


def test_only_the_machine_wide_file_may_add_hosts_or_a_ca_bundle(tmp_path: Path, files) -> None:
    user, system = files
    ca = tmp_path / "proxy-ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    # From the user's file or the environment, outside the demo: refused, naming the setting.
    user.write_text(f'ca_bundle = "{ca}"\n')
    with pytest.raises(ConfigurationError, match="only IT's machine-wide settings file"):
        load(files)
    user.write_text("")
    with pytest.raises(ConfigurationError, match="QC_CA_BUNDLE"):
        load(files, {"QC_CA_BUNDLE": str(ca)})
    # The machine-wide file may set it, name its own host, and let the user pick from extra hosts.
    system.write_text(f'ca_bundle = "{ca}"\nexchange_url = "https://mail-gw.northwind.example"\n'
                      '[allowed_hosts]\nauthority = ["login-proxy.northwind.example"]\n')
    user.write_text(f'authority = "https://login-proxy.northwind.example/{GUID}"\n')
    cfg = load(files)
    assert cfg.ca_bundle == ca and cfg.exchange_url == "https://mail-gw.northwind.example"
    assert cfg.authority == f"https://login-proxy.northwind.example/{GUID}"
    # ...but what it allows for one setting isn't allowed for another.
    with pytest.raises(ConfigurationError, match="exchange_url"):
        load(files, {"QC_EXCHANGE_URL": "https://login-proxy.northwind.example"})


def test_a_user_file_cannot_widen_the_host_table(files) -> None:
    user, _ = files
    user.write_text('exchange_url = "https://mail.attacker.example"\n'
                    '[allowed_hosts]\nexchange_url = ["mail.attacker.example"]\n')
    with pytest.raises(ConfigurationError, match="exchange_url"):
        load(files)


def test_locked_pins_the_built_in_default_too(files) -> None:
    user, system = files
    system.write_text('locked = ["exchange_url", "demo"]\n')
    user.write_text('exchange_url = "https://outlook.office365.us"\n')
    cfg = load(files, {"QC_DEMO": "1"})
    assert cfg.exchange_url == "https://outlook.office365.com" and cfg.demo is False
    assert sum("locked by IT" in note for note in cfg.notes) == 2


def test_a_fifo_in_place_of_the_settings_file_is_reported_not_waited_on(files) -> None:
    import os
    import threading

    user, _ = files
    os.mkfifo(user)
    outcome: list[BaseException | AppConfig] = []

    def run() -> None:
        try:
            outcome.append(load(files))
        except BaseException as exc:  # the outcome is what is asserted
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():  # release the stuck reader before failing
        os.close(os.open(user, os.O_WRONLY | os.O_NONBLOCK))
    assert outcome and isinstance(outcome[0], ConfigurationError), "start-up hung on a FIFO"
    assert "not a regular file" in str(outcome[0]) and str(user) in str(outcome[0])


# --- the organisation service (the service road) ------------------------------------------------------
SERVICE = "https://quarantine.northwind.example"
SCOPE = f"api://{CLIENT}/Quarantine.Self"


@pytest.mark.parametrize("where", ["user", "env"])
def test_only_the_machine_wide_file_may_name_the_organisation_service(files, where) -> None:
    user, system = files
    env = {}
    if where == "user":
        user.write_text(f'tenant_id = "{GUID}"\nservice_url = "{SERVICE}"\nservice_scope = "{SCOPE}"\n')
    else:
        env = {"QC_TENANT_ID": GUID, "QC_SERVICE_URL": SERVICE, "QC_SERVICE_SCOPE": SCOPE}
    # A service token sent where the user's file (or anything running as the user) pointed could be
    # replayed against the real service: refused outside the demo, naming the setting.
    with pytest.raises(ConfigurationError, match="only IT's machine-wide settings file") as err:
        load(files, env)
    assert "service_" in str(err.value)
    # The machine-wide file may; the app then takes the service road and says why.
    user.write_text("")
    system.write_text(f'tenant_id = "{GUID}"\nservice_url = "{SERVICE}/"\nservice_scope = "{SCOPE}"\n')
    cfg = load(files)
    assert (cfg.road, cfg.service_url, cfg.service_scope) == ("service", SERVICE, SCOPE)
    assert "quarantine.northwind.example" in cfg.road_reason() and "IT" in cfg.road_reason()
    assert "road = service" in cfg.describe_for_it()
    # In the demo, the environment may (the demo starts its own service on 127.0.0.1).
    demo_env = {"QC_DEMO": "1", "QC_SERVICE_URL": "https://127.0.0.1:8443", "QC_SERVICE_SCOPE": SCOPE}
    demo = load_config(env=demo_env, user_file=user, system_file=user.with_name("none.toml"))
    assert demo.road == "service" and "demo" in demo.road_reason()


def test_without_a_service_the_direct_road_is_taken_and_explained(files) -> None:
    cfg = load(files, {"QC_TENANT_ID": GUID})
    assert cfg.road == "direct" and "no organisation service" in cfg.road_reason()


def test_a_service_without_its_scope_or_over_http_is_refused_plainly(files) -> None:
    _, system = files
    system.write_text(f'service_url = "{SERVICE}"\n')
    with pytest.raises(ConfigurationError, match="service_scope"):
        load(files)
    system.write_text(f'service_url = "http://quarantine.northwind.example"\nservice_scope = "{SCOPE}"\n')
    with pytest.raises(ConfigurationError, match="https://"):
        load(files)
    system.write_text(f'service_url = "{SERVICE}"\nservice_scope = "Quarantine Self"\n')
    with pytest.raises(ConfigurationError, match="service_scope"):
        load(files)


def test_it_can_lock_the_service_in_demo_mode_too(files) -> None:
    user, system = files
    system.write_text(f'demo = true\nservice_url = "{SERVICE}"\nservice_scope = "{SCOPE}"\n'
                      'locked = ["service_url", "service_scope"]\n')
    user.write_text('service_url = "https://127.0.0.1:9"\n')
    cfg = load(files, {"QC_SERVICE_URL": "https://127.0.0.1:10"})
    assert cfg.service_url == SERVICE
    assert any("service_url" in n and "locked" in n for n in cfg.notes)
