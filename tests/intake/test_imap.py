"""Fetching the FOI mailbox from a real IMAP server: Debian's Dovecot, started by the test
on a spare loopback port under a temporary directory (skipped when it is not installed;
`apt-get install dovecot-imapd`)."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from foiregister.intake import services
from foiregister.intake.exceptions import IntakeError
from foiregister.intake.models import InboundMessage, Mailbox
from foiregister.kernel import audit

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
EMAILS = Path(__file__).resolve().parent.parent / "data" / "intake" / "emails"
BY = audit.system("tests")

pytestmark = pytest.mark.skipif(
    not os.path.exists(DOVECOT), reason="dovecot-imapd is not installed"
)


def _spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def imap_server(tmp_path):
    port = _spare_port()
    # Dovecot never delivers mail as root: run as root (a container), the mailbox belongs to
    # Dovecot's own user, in a directory it can reach (pytest's tmp_path is 0700 root).
    mail_user = pwd.getpwnam("dovecot") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
    mail_root = Path(tempfile.mkdtemp(prefix="intake-imap-"))
    os.chmod(mail_root, 0o755)
    home = mail_root / "officer"
    for sub in ("cur", "new", "tmp"):
        (home / "Maildir" / sub).mkdir(parents=True)
    for path in [home, *home.rglob("*")]:
        os.chown(path, mail_user.pw_uid, mail_user.pw_gid)
    (tmp_path / "passwd").write_text("officer:{PLAIN}mailbox-secret\n")
    me = pwd.getpwuid(os.getuid()).pw_name
    # Run as root (a container), the login and internal processes drop to Dovecot's own users;
    # run as anyone else, every process stays that user.
    unprivileged = (
        "" if os.getuid() == 0 else f"default_internal_user = {me}\ndefault_login_user = {me}\n"
    )
    config = tmp_path / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {tmp_path}/run
state_dir = {tmp_path}/state
log_path = {tmp_path}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = {mail_user.pw_uid}
first_valid_gid = {mail_user.pw_gid}
mail_location = maildir:{home}/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0600
  }}
  unix_listener stats-writer {{
    mode = 0600
  }}
}}
service auth {{
  user = {me}
}}
service auth-worker {{
  user = {me}
}}
{unprivileged}
passdb {{
  driver = passwd-file
  args = {tmp_path}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={home}
}}
"""
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"dovecot did not start: {process.stdout.read().decode()}")
            time.sleep(0.1)
    else:
        process.terminate()
        pytest.fail("dovecot did not open its port")
    yield {"port": port, "maildir": home / "Maildir"}
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(mail_root, ignore_errors=True)


def _deliver(maildir: Path, name: str) -> None:
    target = maildir / "new" / f"{time.time_ns()}.{name}"
    target.write_bytes((EMAILS / name).read_bytes())
    owner = maildir.stat()
    os.chown(target, owner.st_uid, owner.st_gid)


@pytest.fixture
def mailbox(organisation, imap_server, monkeypatch):
    monkeypatch.setenv("TEST_MAILBOX_PASSWORD", "mailbox-secret")
    return Mailbox.objects.create(
        organisation=organisation,
        enabled=True,
        host="127.0.0.1",
        port=imap_server["port"],
        use_ssl=False,
        username="officer",
        password_env="TEST_MAILBOX_PASSWORD",
    )


@pytest.mark.django_db
def test_unseen_messages_are_fetched_once_and_kept_even_when_unreadable(mailbox, imap_server):
    _deliver(imap_server["maildir"], "new_request_plain.eml")
    _deliver(imap_server["maildir"], "no_date.eml")
    assert services.fetch_mailbox(mailbox=mailbox, by=BY) == 2
    statuses = sorted(InboundMessage.objects.values_list("status", flat=True))
    assert statuses == [InboundMessage.Status.FAILED, InboundMessage.Status.NEW_REQUEST]
    # marked seen after being stored: a second run fetches nothing
    assert services.fetch_mailbox(mailbox=mailbox, by=BY) == 0
    assert InboundMessage.objects.count() == 2


@pytest.mark.django_db
def test_the_same_message_delivered_twice_makes_one(mailbox, imap_server):
    _deliver(imap_server["maildir"], "new_request_plain.eml")
    _deliver(imap_server["maildir"], "new_request_plain.eml")
    services.fetch_mailbox(mailbox=mailbox, by=BY)
    assert InboundMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_wrong_password_is_a_clear_error_and_leaves_the_mail_unseen(
    mailbox, imap_server, monkeypatch
):
    _deliver(imap_server["maildir"], "new_request_plain.eml")
    monkeypatch.setenv("TEST_MAILBOX_PASSWORD", "wrong")
    with pytest.raises(
        IntakeError, match=rf"mailbox officer@127.0.0.1:{imap_server['port']} cannot be reached"
    ):
        services.fetch_mailbox(mailbox=mailbox, by=BY)
    mailbox.refresh_from_db()
    assert mailbox.last_error.startswith(
        "mailbox officer@127.0.0.1"
    )  # shown on the mailbox screen
    monkeypatch.setenv("TEST_MAILBOX_PASSWORD", "mailbox-secret")
    assert services.fetch_mailbox(mailbox=mailbox, by=BY) == 1
