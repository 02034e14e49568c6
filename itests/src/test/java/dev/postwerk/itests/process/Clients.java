package dev.postwerk.itests.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real client program (swaks, curl, fetchmail, python3) with a time limit. */
public final class Clients {

    /** What a program did. */
    public record Result(int exitCode, String output) {
        public Result assertSuccess(String what) {
            if (exitCode != 0) {
                throw new AssertionError(what + " failed with exit code " + exitCode + ":\n" + output);
            }
            return this;
        }
    }

    private Clients() {
    }

    /** True when {@code program} is installed (.ci/run installs them on CI). */
    public static boolean installed(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Path.of(dir, program).toFile().canExecute()) {
                return true;
            }
        }
        return false;
    }

    public static Result run(Path workDir, List<String> command) throws IOException, InterruptedException {
        if (!installed(command.get(0))) {
            throw new AssertionError(command.get(0) + " is not installed: run .ci/run (it installs swaks, fetchmail, curl)");
        }
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 120 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
