"""keelshell - drive a real shell (Debian's bash or busybox sh) on Keel.

Keel's default system (no init= on the command line) starts a login bash
on the serial line.  Shell wraps a keelqemu.Keel booted that way:

    sh = Shell.boot(smp=2, log=path)           # waits for the first prompt
    out, status = sh.run("echo hi | wc -c")    # ("3", 0)
    sh.send("sleep 100\\r"); sh.send("\\x03")   # type raw bytes
    sh.prompt()                                 # wait for the next prompt

The prompt is set to a fixed string whose echo cannot match it (PS1 is
written as 'K''EEL> '), and run() appends a status marker written the same
way, so command output is exactly what lies between the echoed command
line and the marker, with the terminal's CR-LF turned into LF.
"""

import re
import time

import keelqemu

PROMPT = "KEEL> "
# A wide terminal so that readline never wraps a command line; the status
# marker comes from a function, so that every command line stays short.
PROMPT_SET = ("stty cols 250 rows 50; kill -WINCH $$; "
              "__s() { printf '\\n::%s=%d::\\n' 'S''T' $?; }; PS1='K''EEL> '; PS2='> '")
STATUS_RE = r"::ST=(\d+)::"
STATUS_CMD = "__s"
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>78]")


def clean(text):
    """Terminal output to plain text: no CRs, no escape sequences."""
    return ANSI_RE.sub("", text).replace("\r", "")


class Shell:
    def __init__(self, keel):
        self.k = keel

    @classmethod
    def boot(cls, smp=1, mem="256M", append="", log=None, shell=None,
             hard_timeout=600, boot_timeout=60, set_prompt=True):
        """Boot the default system and wait for a usable prompt.  shell:
        None for the login bash, or a command to exec in its place (e.g.
        "/bin/busybox sh").  set_prompt=False keeps the login prompt (and
        run() cannot be used)."""
        # The console log level a user gets (warnings and worse), so that
        # routine kernel messages do not land in the shell's output.
        k = keelqemu.Keel(kernel=keelqemu.build_dir() / "keel.elf", smp=smp, mem=mem,
                          append=("panic=exit " + append).strip(), log=log,
                          hard_timeout=hard_timeout, loglevel=None)
        k.start()
        sh = cls(k)
        try:
            k.expect(r"[#$] $", timeout=boot_timeout)      # the login prompt
            if shell:
                sh.send(f"exec {shell}\r")
                time.sleep(0.5)
            if set_prompt:
                sh.send(PROMPT_SET + "\r")
                sh.prompt(timeout=30)
        except BaseException:
            k.kill()
            raise
        return sh

    def kill(self):
        self.k.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()

    @property
    def output(self):
        return self.k.output

    def send(self, s, delay=0.0):
        self.k.send(s, delay)

    def expect(self, pattern, timeout=10):
        return self.k.expect(pattern, timeout)

    def prompt(self, timeout=30):
        """Wait for the next prompt; returns what came before it (clean)."""
        self.k.expect(re.escape(PROMPT), timeout=timeout)
        return clean(self.k.child.before)

    def run(self, cmd, timeout=30):
        """Type cmd + Enter; returns (output, exit status) once the prompt
        is back.  Output is cleaned and stripped of its last newline."""
        if "\n" in cmd:
            # A group, so that a here-document's end marker stands alone
            # and the whole block runs before the marker.
            cmd, sep = "{ " + cmd + "\n}", "; "
        elif cmd.rstrip().endswith("&"):
            sep = " "
        else:
            sep = "; "
        self.send(cmd + sep + STATUS_CMD + "\r")
        m = self.k.expect(STATUS_RE, timeout=timeout)
        before = clean(self.k.child.before)
        status = int(m.group(1))
        self.prompt(timeout=timeout)
        # Drop the echoed command line(s): everything up to the end of the
        # last line that ends with the marker call (typed-ahead lines may be
        # echoed twice: by the terminal, then by readline's own prompt).
        end = before.rfind(STATUS_CMD + "\n")
        out = before[end + len(STATUS_CMD) + 1:] if end >= 0 else ""
        for _ in range(2):      # the marker's own newline, then the output's
            if out.endswith("\n"):
                out = out[:-1]
        return out, status

    def check(self, cmd, timeout=30):
        """run() that asserts exit status 0; returns the output."""
        out, status = self.run(cmd, timeout)
        assert status == 0, f"`{cmd}` exited {status}: {out!r}\n" + self.k.tail(2000)
        return out
