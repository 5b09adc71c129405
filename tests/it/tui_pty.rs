//! The real binary in a pseudo-terminal: open the sample run, drill down to a sample, go back,
//! quit, and check the terminal was restored (alternate screen left, cooked mode back).
//! Python's `pty`/`termios` drive it: they are on every machine CI runs on.

use crate::support;

use std::process::Command;

const DRIVER: &str = r#"
binary = sys.argv[1]
master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
before = termios.tcgetattr(slave)
env = dict(os.environ, TERM="xterm-256color", NO_COLOR="1")
child = subprocess.Popen([binary], stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)

def send(keys):
    os.write(master, keys.encode())
    time.sleep(0.3)

read_until("Model")            # Runs screen
send("\r"); read_until("Metric")    # Results
send("\r"); read_until("prediction")   # Samples
send("\r"); read_until("── query")  # Sample
for _ in range(3):
    send("\x1b")               # back to Runs
send("q")
try:
    code = child.wait(timeout=10)
except subprocess.TimeoutExpired:
    child.kill()
    sys.exit("the app did not quit on q")
time.sleep(0.2)
while select.select([master], [], [], 0.1)[0]:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
after = termios.tcgetattr(slave)
assert code == 0, f"exit code {code}"
enter, leave = out.rfind(b"\x1b[?1049h"), out.rfind(b"\x1b[?1049l")
assert enter != -1 and leave > enter, "alternate screen entered and left"
assert after[3] & termios.ICANON and after[3] & termios.ECHO, "cooked mode restored"
assert after[3] == before[3], "local modes as before"
print("ok")
"#;

#[test]
fn drill_down_back_and_quit_restores_the_terminal() {
    let output = Command::new("python3")
        .arg("-c")
        .arg(format!("{}{DRIVER}", support::PTY_DRIVER_HELPERS))
        .arg(env!("CARGO_BIN_EXE_evaldeck"))
        .output()
        .expect("python3 runs the pty driver");
    assert!(
        output.status.success() && String::from_utf8_lossy(&output.stdout).trim() == "ok",
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
