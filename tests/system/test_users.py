"""An ordinary user on the default system: /etc/passwd has `keel` (uid
1000), init gives it /home/keel, root's bash reaches it with busybox su,
and the file permissions confine it (docs/vfs.md, "Permissions")."""

import pytest

import keelqemu
from keelshell import Shell


@pytest.fixture(scope="module")
def bash():
    sh = Shell.boot(smp=2, log=keelqemu.build_dir() / "test-logs" / "users.log")
    yield sh
    sh.kill()


def test_user_has_ids_and_home(bash):
    assert bash.check("su keel -c 'id; cd; pwd'") == \
        "uid=1000(keel) gid=1000(keel) groups=1000(keel)\n/home/keel"
    assert bash.check("stat -c %U:%G:%a /home/keel") == "keel:keel:755"


def test_user_files_are_its_own(bash):
    assert bash.check("su keel -c 'echo hi > ~/f; cat ~/f; stat -c %U:%G:%a ~/f'") == \
        "hi\nkeel:keel:644"


def test_user_is_confined(bash):
    out, status = bash.run("su keel -c 'touch /etc/x' 2>&1")
    assert status == 1 and "Permission denied" in out
    out, status = bash.run("su keel -c 'ls /root' 2>&1")
    assert status == 1 and "Permission denied" in out
    out, status = bash.run("su keel -c 'kill -0 1' 2>&1")
    assert status == 1 and "Operation not permitted" in out
    # /tmp is sticky: root's file there is not the user's to remove.
    bash.check("touch /tmp/rootfile")
    out, status = bash.run("su keel -c 'rm -f /tmp/rootfile' 2>&1")
    assert status == 1 and "Operation not permitted" in out
    assert bash.check("ls /tmp/rootfile") == "/tmp/rootfile"


def test_user_cannot_reach_roots_terminal_or_log(bash):
    out, status = bash.run("su keel -c 'cat /dev/console' 2>&1")
    assert status == 1 and "Permission denied" in out
    out, status = bash.run("su keel -c 'dmesg -c' 2>&1")
    assert status != 0
    out, status = bash.run("su keel -c 'readlink /proc/1/exe' 2>&1")
    assert status != 0
    assert bash.check("su keel -c 'readlink /proc/self/exe'") == "/bin/busybox"


def test_root_still_may(bash):
    assert bash.check("su keel -c 'echo x > ~/g; chmod 000 ~/g'; cat /home/keel/g") == "x"
    assert bash.check("chown root /home/keel/g; stat -c %U /home/keel/g") == "root"
