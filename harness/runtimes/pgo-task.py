"""gilbench's PGO training task for release builds (`make PROFILE_TASK=<this file>`).

CPython's own profile task is `-m test --pgo`: its tests only have to run the
interpreter's hot paths so the compiler learns them. A test that fails once
(flaky, or unhappy on a busy machine) makes that run exit non-zero, and make
then throws away a build that took half an hour. This runs the same tests,
prints the runner's output (progress lines included), names what failed, and
exits 0 unless the interpreter could not run the tests at all.
"""

import re
import subprocess
import sys

PROGRESS = re.compile(r"\[\s*\d+/\d+(?:/\d+)?\]\s+test_")

# The same as CPython's default PROFILE_TASK: -m test --pgo --timeout=$(TESTTIMEOUT).
command = [sys.executable, "-m", "test", "--pgo", "--timeout=1200"]
print("gilbench PGO training:", " ".join(command), flush=True)
process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
failed = []
collecting = False
tests_ran = False
for line in process.stdout:
    sys.stdout.write(line)
    sys.stdout.flush()
    text = line.strip()
    tests_ran = tests_ran or bool(PROGRESS.search(text))
    # The runner's summary: "2 tests failed:" followed by indented names.
    if text.endswith(("test failed:", "tests failed:")):
        collecting = True
        continue
    if collecting:
        if text and all(name.startswith("test_") for name in text.split()):
            failed.extend(text.split())
        else:
            collecting = False
code = process.wait()
if code == 0:
    print("gilbench PGO training: all training tests passed", flush=True)
    sys.exit(0)
# Non-zero below 128 after tests ran is the runner's verdict (2: a test failed, 3: environment
# changed...). No test run at all, or a signal (a crash of the instrumented interpreter), is a
# real failure: the profile would be empty.
ran = tests_ran and 0 < code < 128
names = ", ".join(failed) if failed else "see the runner's output above"
if ran:
    print(
        "gilbench PGO training: the test runner exited with %d (failed: %s); "
        "the training only has to exercise the interpreter, so the build goes on" % (code, names),
        flush=True,
    )
else:
    print("gilbench PGO training: the test runner ran no test (exit %d); the build stops" % code, flush=True)
# A runner that did not start (a crash of the instrumented interpreter) is a real failure.
sys.exit(0 if ran else code)
