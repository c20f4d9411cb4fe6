"""Debian's bash and busybox sh on Keel's serial console, typed as a person
would: the default system boots to a login bash; these tests drive it
(and busybox sh exec'd in its place) through the serial line."""

import pytest

import keelqemu
from keelshell import Shell


def _log(name):
    return keelqemu.build_dir() / "test-logs" / f"{name}.log"


@pytest.fixture(scope="module")
def bash():
    sh = Shell.boot(smp=2, log=_log("shell-bash"))
    yield sh
    sh.kill()


@pytest.fixture(scope="module")
def ash():
    sh = Shell.boot(smp=2, log=_log("shell-busybox"), shell="/bin/busybox sh")
    yield sh
    sh.kill()


def test_login_environment(bash):
    assert bash.check("echo $HOME:$PWD") == "/root:/root"
    assert bash.check("echo $TERM") in ("vt102", "linux")
    assert "/usr/bin" in bash.check("echo $PATH")
    assert bash.check("hostname") == "keel"
    assert bash.check("shopt -q login_shell && echo login") == "login"


def test_default_prompt_shows_directory():
    with Shell.boot(smp=1, log=_log("shell-prompt"), set_prompt=False) as sh:
        sh.send("cd /usr/bin\r")
        sh.expect(r"root@keel:/usr/bin# ", timeout=30)


SCRIPTS = [
    ("yes | head -n 1000 | wc -l", "1000"),
    ("echo $((6 * 7))", "42"),
    ("x=$(echo inner); echo \"<$x>\"", "<inner>"),
    ("echo a > /tmp/r1; echo b >> /tmp/r1; while read l; do echo $l; done < /tmp/r1", "a\nb"),
    ("cat /etc/hostname", "keel"),
    ("(cd /tmp && pwd); pwd", "/tmp\n/root"),
    ("cat <<EOF\nline one\n$((1+1))\nEOF", "line one\n2"),
    ("for i in 1 2 3; do printf %s $i; done; echo", "123"),
    ("(sleep 0.2 & wait $!; echo $?)", "0"),
    ("false | true; echo ${PIPESTATUS[0]}${PIPESTATUS[1]}", "10"),
    ("trap 'echo trapped' USR1; kill -USR1 $$; trap - USR1", "trapped"),
    ("ls -1 /bin/sh /usr/bin/top", "/bin/sh\n/usr/bin/top"),
    ("printf 'b\\na\\nc\\n' | sort | tr a-z A-Z | head -2", "A\nB"),
    ("echo x 2>&1 1>/dev/null | wc -c", "0"),
    ("f() { return 3; }; f; echo $?", "3"),
]


@pytest.mark.parametrize("cmd,want", SCRIPTS, ids=[c for c, _ in SCRIPTS])
def test_bash_scripts(bash, cmd, want):
    assert bash.check(cmd) == want


ASH_SCRIPTS = [c for c in SCRIPTS if "PIPESTATUS" not in c[0]]


@pytest.mark.parametrize("cmd,want", ASH_SCRIPTS, ids=[c for c, _ in ASH_SCRIPTS])
def test_busybox_sh_scripts(ash, cmd, want):
    assert ash.check(cmd) == want


def test_exit_status_and_missing_command(bash):
    out, status = bash.run("no-such-command")
    assert status == 127
    assert "not found" in out


def test_history_and_arrow_keys(bash):
    """Up recalls the last line; Left + typing edits in the middle."""
    bash.check("echo first-entry")
    bash.send("\x1b[A")                     # Up: "echo first-entry"
    # The recalled line is "echo first-entry; __s": ten Lefts put the
    # cursor before "entry".
    bash.send("\x1b[D" * 10 + "X\r")
    bash.expect(r"::ST=(\d+)::", timeout=20)
    bash.prompt()
    assert "first-Xentry" in bash.output


def test_tab_completion(bash):
    bash.check("mkdir -p /tmp/tabdir && : > /tmp/tabdir/unique-file-name")
    bash.send("ls /tmp/tabdir/uni\t")
    bash.expect(r"unique-file-name", timeout=20)
    bash.send("\r")
    bash.prompt()


def test_read_with_timeout(bash):
    """`read -t` needs pselect6/poll on the terminal; it times out with 142."""
    out, status = bash.run("read -t 1 v")
    assert status > 128, f"read -t 1 returned {status}"
