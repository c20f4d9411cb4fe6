"""keelqemu - boot Keel under QEMU and talk to it, for the system tests.

One Keel object is one QEMU process.  Its serial console (COM1) is QEMU's
stdio, which runs on a pseudo-terminal driven by pexpect; the QEMU monitor
(HMP) listens on a Unix socket for PS/2 key presses (`sendkey`, `type_keys`)
and memory reads (`vga_text`, `vga_screen`, `expect_vga`: the VGA text screen
by `pmemsave`).  Every run has a hard time limit (coreutils `timeout`, which
outlives a crashed test run) and kill() ends the whole process group.

    k = Keel(kernel="build/keel.elf", smp=2, mem="256M", append="panic=exit")
    k.start()
    m = k.expect(r"keel: ready: (\\d+) cpus")
    k.send("mem\\r")
    k.sendkey("h e l p ret")
    status = k.wait_exit(timeout=10)        # 33: 0x10 ok, 35: 0x11 failure
    k.kill()

Failures raise AssertionError with the tail of the console output, so a
pytest report shows what the kernel said.
"""

import os
import re
import shutil
import signal
import socket
import tempfile
import time
from pathlib import Path

import pexpect

REPO = Path(__file__).resolve().parents[2]
OVMF = os.environ.get("KEEL_OVMF", "/usr/share/ovmf/OVMF.fd")
QEMU = os.environ.get("KEEL_QEMU", "qemu-system-x86_64")

# isa-debug-exit at 0xf4: QEMU exits with (value << 1) | 1.
EXIT_SUCCESS = 33       # value 0x10: poweroff, all tests passed
EXIT_FAILURE = 35       # value 0x11: a test failed, or panic with panic=exit

READY_RE = r"keel: ready: (\d+) cpus, (\d+) MiB free"
PROMPT = "keel> "


def build_dir():
    """The build directory: $KEEL_BUILD (make test sets it) or build/."""
    b = Path(os.environ.get("KEEL_BUILD", "build"))
    return b if b.is_absolute() else REPO / b


class _Tee:
    """pexpect logfile: keep everything the guest printed, and copy to a file."""

    def __init__(self, path):
        self.chunks = []
        self.file = open(path, "w", encoding="utf-8") if path else None

    def write(self, s):
        self.chunks.append(s)
        if self.file:
            self.file.write(s)

    def flush(self):
        if self.file:
            self.file.flush()

    def close(self):
        if self.file:
            self.file.close()
            self.file = None


# The tests read every kernel message on the serial console (console log
# level 7: informational and worse); an interactive boot shows only
# warnings and worse.
TEST_LOGLEVEL = "loglevel=7"


class Keel:
    """One QEMU running Keel.  Boot with kernel= (-kernel, PVH), or iso= with
    uefi=False (SeaBIOS + GRUB) or uefi=True (OVMF + GRUB)."""

    def __init__(self, kernel=None, iso=None, uefi=False, smp=1, mem="128M",
                 append="", extra=(), log=None, hard_timeout=300, initrd="auto",
                 loglevel=TEST_LOGLEVEL):
        if (kernel is None) == (iso is None):
            raise ValueError("give exactly one of kernel= and iso=")
        self.kernel, self.iso, self.uefi = kernel, iso, uefi
        self.smp, self.mem, self.append = smp, mem, append
        self.loglevel = loglevel
        self.extra = list(extra)
        if initrd == "auto":
            default = build_dir() / "initramfs.cpio"
            initrd = default if default.exists() else None
        self.initrd = initrd
        self.log = log
        self.hard_timeout = hard_timeout
        self.child = None
        self.tmpdir = None
        self.monitor_path = None
        self.monitor = None      # connected HMP socket, opened lazily
        self.status = None
        self._tee = None

    # ------------------------------------------------------------ lifecycle
    def kernel_append(self):
        """The kernel command line: append, with the log level (loglevel=,
        TEST_LOGLEVEL by default; None: the kernel's own default) unless
        append names one."""
        words = self.append.split()
        if self.loglevel is None or any(
                w.startswith(("loglevel=", "quiet", "debug")) for w in words):
            return self.append
        return (self.append + " " + self.loglevel).strip()

    def argv(self):
        """The QEMU command line (without the timeout wrapper)."""
        a = [QEMU, "-accel", "tcg", "-cpu", "max", "-smp", str(self.smp),
             "-m", str(self.mem), "-display", "none",
             # stdio without QEMU's own ^C handling: ^C, ^Z, ^\\ reach Keel.
             "-chardev", "stdio,id=serial0,signal=off", "-serial", "chardev:serial0",
             "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
             "-no-reboot",
             "-monitor", f"unix:{self.monitor_path},server=on,wait=off"]
        if self.kernel is not None:
            a += ["-kernel", str(self.kernel), "-append", self.kernel_append()]
            if self.initrd:
                a += ["-initrd", str(self.initrd)]
        else:
            if self.uefi:
                a += ["-bios", OVMF]
            a += ["-cdrom", str(self.iso)]
        return a + self.extra

    def start(self):
        """Start QEMU; returns self."""
        self.tmpdir = tempfile.mkdtemp(prefix="keelqemu-")
        self.monitor_path = os.path.join(self.tmpdir, "monitor.sock")
        if self.log:
            Path(self.log).parent.mkdir(parents=True, exist_ok=True)
        self._tee = _Tee(self.log)
        argv = ["timeout", "--signal=KILL", str(self.hard_timeout)] + self.argv()
        self._tee.write("# " + " ".join(_shquote(x) for x in argv) + "\n")
        self._t0 = time.monotonic()
        self.child = pexpect.spawn(argv[0], argv[1:], encoding="utf-8",
                                   codec_errors="replace", echo=False,
                                   dimensions=(50, 200), timeout=10)
        self.child.logfile_read = self._tee
        # kill() SIGKILLs the process group: no need for pexpect's pauses.
        self.child.delayafterclose = 0.01
        self.child.delayafterterminate = 0.01
        return self

    def kill(self):
        """Kill QEMU (and its timeout wrapper) if still running; idempotent."""
        if self.monitor is not None:
            try:
                self.monitor.close()
            except OSError:
                pass
            self.monitor = None
        if self.child is not None:
            if self.child.isalive():
                try:
                    os.killpg(self.child.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.child.close(force=True)
        if self._tee is not None:
            self._tee.close()
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.kill()

    # ------------------------------------------------------------ console
    @property
    def output(self):
        """Everything QEMU printed so far (after the command-line comment)."""
        return "".join(self._tee.chunks[1:]) if self._tee else ""

    def elapsed(self):
        return time.monotonic() - self._t0

    def tail(self, n=3000):
        return self.output[-n:]

    def _fail(self, what):
        raise AssertionError(
            f"{what} (after {self.elapsed():.1f} s)\n"
            f"--- console tail ---\n{self.tail()}\n--- end ---")

    def expect(self, pattern, timeout=10):
        """Wait for regex pattern on the console; returns the re.Match."""
        try:
            self.child.expect(pattern, timeout=timeout)
        except pexpect.TIMEOUT:
            self._fail(f"timed out after {timeout} s waiting for /{pattern}/")
        except pexpect.EOF:
            self._fail(f"QEMU exited (status {self._reap()}) while waiting "
                       f"for /{pattern}/")
        return self.child.match

    def expect_ready(self, timeout=30):
        """Wait for `keel: ready: N cpus, M MiB free`; returns (N, M)."""
        m = self.expect(READY_RE, timeout)
        return int(m.group(1)), int(m.group(2))

    def send(self, s, delay=0.0):
        """Type s on the serial console (use "\\r" for Enter)."""
        if not delay:
            self.child.send(s)
            return
        for ch in s:
            self.child.send(ch)
            time.sleep(delay)

    # ------------------------------------------------------------ monitor
    def hmp(self, command, timeout=10):
        """Run one QEMU monitor (HMP) command; returns its output text."""
        if self.monitor is None:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    s.connect(self.monitor_path)
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    s.close()
                    if time.monotonic() > deadline:
                        self._fail("QEMU monitor socket never appeared")
                    time.sleep(0.05)
            s.settimeout(timeout)
            self.monitor = s
            self._hmp_read()                     # banner and first prompt
        self.monitor.sendall(command.encode() + b"\n")
        out = self._hmp_read()
        # HMP echoes the command line first.
        return out.split("\n", 1)[1] if "\n" in out else ""

    def _hmp_read(self):
        buf = b""
        while not buf.endswith(b"(qemu) "):
            chunk = self.monitor.recv(65536)
            if not chunk:
                self._fail("QEMU monitor closed")
            buf += chunk
        text = buf[:-len(b"(qemu) ")].decode("utf-8", "replace")
        return re.sub(r"\x1b\[[0-9;]*[A-Za-z]|\r", "", text)

    def sendkey(self, keys, delay=0.05):
        """Press PS/2 keys through the monitor: "h e l p ret" or a list of
        QEMU key names ("shift-a", "ret", "spc", "minus", ...)."""
        if isinstance(keys, str):
            keys = keys.split()
        for k in keys:
            out = self.hmp(f"sendkey {k}")
            if out.strip():
                self._fail(f"sendkey {k}: {out.strip()}")
            time.sleep(delay)

    def type_keys(self, text, delay=0.02):
        """Type text on the PS/2 keyboard: each character becomes the QEMU
        key press that produces it on a US keyboard ("A" is shift-a, "\\n"
        and "\\r" are ret, "\\x1b" esc, "\\x7f" and "\\b" backspace,
        "\\x01".."\\x1a" ctrl-a..ctrl-z)."""
        self.sendkey([key_name(ch) for ch in text], delay=delay)

    def vga_cells(self, rows=25, cols=80):
        """The VGA text buffer at 0xb8000: rows*cols 16-bit cells (glyph in the
        low byte, attribute in the high byte), read with pmemsave."""
        n = rows * cols
        path = os.path.join(self.tmpdir, "vga.bin")
        out = self.hmp(f'pmemsave 0xb8000 {2 * n} "{path}"')
        if out.strip():
            self._fail(f"pmemsave: {out.strip()}")
        data = Path(path).read_bytes()
        if len(data) != 2 * n:
            self._fail(f"pmemsave wrote {len(data)} bytes, want {2 * n}")
        return [data[i] | data[i + 1] << 8 for i in range(0, 2 * n, 2)]

    def vga_text(self, rows=25, cols=80):
        """The VGA text screen as a list of row strings (printable ASCII;
        other glyphs as spaces)."""
        cells = self.vga_cells(rows, cols)
        chars = "".join(chr(c & 0xff) if 32 <= (c & 0xff) < 127 else " "
                        for c in cells)
        return [chars[i:i + cols] for i in range(0, len(chars), cols)]

    def vga_screen(self, rows=25, cols=80):
        """The VGA text screen as one string: rows joined by newlines,
        trailing blanks removed."""
        return "\n".join(r.rstrip() for r in self.vga_text(rows, cols))

    def expect_vga(self, pattern, timeout=10, rows=25, cols=80):
        """Wait until regex pattern matches the VGA screen (vga_screen(),
        re.MULTILINE); returns the re.Match, fails with the screen."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.vga_screen(rows, cols)
            m = re.search(pattern, screen, re.MULTILINE)
            if m:
                return m
            if time.monotonic() > deadline:
                self._fail(f"timed out after {timeout} s waiting for /{pattern}/ "
                           f"on the VGA screen:\n{screen}")
            time.sleep(0.1)

    # ------------------------------------------------------------ exit
    def _reap(self):
        if self.status is None:
            self.child.wait()
            if self.child.signalstatus is not None:
                self.status = -self.child.signalstatus
            else:
                self.status = self.child.exitstatus
        return self.status

    def wait_exit(self, timeout=30):
        """Wait for QEMU to exit; returns its status (33/35 from Keel, -N for
        signal N).  Fails the test if it is still running after timeout."""
        try:
            self.child.expect(pexpect.EOF, timeout=timeout)
        except pexpect.TIMEOUT:
            self._fail(f"QEMU still running after {timeout} s")
        return self._reap()


# QEMU key names (sendkey) of the US keyboard's characters.
_KEY_PLAIN = {" ": "spc", "-": "minus", "=": "equal", "[": "bracket_left",
              "]": "bracket_right", "\\": "backslash", ";": "semicolon",
              "'": "apostrophe", "`": "grave_accent", ",": "comma", ".": "dot",
              "/": "slash", "\n": "ret", "\r": "ret", "\t": "tab",
              "\x1b": "esc", "\x7f": "backspace", "\b": "backspace"}
_KEY_SHIFTED = dict(zip(
    '!@#$%^&*()_+{}|:"~<>?',
    ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "minus", "equal",
     "bracket_left", "bracket_right", "backslash", "semicolon", "apostrophe",
     "grave_accent", "comma", "dot", "slash"]))


def key_name(ch):
    """The QEMU sendkey name that types character ch on a US keyboard."""
    if ch.isascii() and (ch.islower() or ch.isdigit()):
        return ch
    if ch.isascii() and ch.isupper():
        return "shift-" + ch.lower()
    if ch in _KEY_PLAIN:
        return _KEY_PLAIN[ch]
    if ch in _KEY_SHIFTED:
        return "shift-" + _KEY_SHIFTED[ch]
    if "\x01" <= ch <= "\x1a":
        return "ctrl-" + chr(ord(ch) + 0x60)
    raise ValueError(f"no key types {ch!r}")


def _shquote(s):
    return s if re.fullmatch(r"[\w@%+=:,./-]+", s) else "'" + s.replace("'", "'\\''") + "'"


# ------------------------------------------------------------ programs as init

INIT_REPORT = re.compile(r"keel: (-?\d+) frames not returned since init started .*"
                         r"page-table check: (\d+) problems")


def run_as_init(log_name, init, smp=1, mem="256M", extra=(), timeout=300):
    """Boot once with init (a program and its arguments, e.g. "/bin/edu
    --no-irq") as init, powering off when it exits; wait up to timeout
    seconds.  Returns (the Keel, QEMU's exit status or None on a timeout);
    the log goes to build/test-logs/log_name."""
    log = build_dir() / "test-logs" / log_name
    k = Keel(kernel=build_dir() / "keel.elf", smp=smp, mem=mem,
             append=f'init="{init}" initexit=poweroff panic=exit',
             extra=list(extra), log=log, hard_timeout=timeout + 60)
    k.start()
    try:
        status = k.wait_exit(timeout=timeout)
    except AssertionError:
        status = None
    finally:
        k.kill()
    return k, status


def suite_names(prog):
    """The case names of one of Keel's test programs (utest runner:
    `prog --list`), run on the build machine; a placeholder name when the
    program is not built, so that collection still works."""
    import subprocess
    binary = build_dir() / "user" / prog
    if not binary.exists():
        return [f"{prog}-missing"]
    out = subprocess.run([str(binary), "--list"], capture_output=True, text=True,
                         timeout=30).stdout
    return out.split() or [f"{prog}-list-empty"]


def check_clean_exit(k, status):
    """init exited 0 and QEMU powered off cleanly: no panic, every frame
    back since init started, page tables clean (the init-exit report)."""
    out = k.output
    assert "PANIC" not in out, out[-3000:]
    m = INIT_REPORT.search(out)
    assert m, "no init-exit report:\n" + out[-3000:]
    assert int(m.group(1)) == 0, f"{m.group(1)} frames not returned:\n{out[-3000:]}"
    assert int(m.group(2)) == 0, f"page-table check found problems:\n{out[-3000:]}"
    assert "init exited with status 0" in out, out[-3000:]
    assert status == EXIT_SUCCESS, f"QEMU exit status {status}:\n{out[-3000:]}"
