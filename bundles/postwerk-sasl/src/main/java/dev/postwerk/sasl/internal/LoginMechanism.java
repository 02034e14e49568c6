package dev.postwerk.sasl.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import dev.postwerk.api.sasl.FailureReason;
import dev.postwerk.api.sasl.SaslContext;

/**
 * LOGIN (draft-murchison-sasl-login): the server asks "Username:" then "Password:". Obsolete but
 * still what Outlook and many devices send; an SMTP initial response carries the user name.
 */
final class LoginMechanism implements Mechanism {

    private static final byte[] USERNAME = "Username:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PASSWORD = "Password:".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_FIELD = 1024;

    @Override
    public String name() {
        return "LOGIN";
    }

    @Override
    public boolean plaintext() {
        return true;
    }

    @Override
    public Exchange start(SaslContext context, Credentials credentials) {
        return new Exchange() {
            private Optional<String> user = Optional.empty();

            @Override
            public MechanismStep start(Optional<byte[]> initialResponse) {
                return initialResponse.isPresent() ? respond(initialResponse.get())
                        : new MechanismStep.Challenge(USERNAME);
            }

            @Override
            public MechanismStep respond(byte[] response) {
                if (response.length > MAX_FIELD) {
                    return new MechanismStep.Failed(FailureReason.MALFORMED);
                }
                if (user.isEmpty()) {
                    user = Mechanism.utf8(response, 0, response.length).filter(u -> !u.isEmpty());
                    return user.isPresent() ? new MechanismStep.Challenge(PASSWORD)
                            : new MechanismStep.Failed(FailureReason.MALFORMED);
                }
                Optional<char[]> password = PlainMechanism.chars(response, 0, response.length);
                Arrays.fill(response, (byte) 0);
                if (password.isEmpty() || password.get().length == 0) {
                    return new MechanismStep.Failed(FailureReason.MALFORMED);
                }
                try {
                    return new MechanismStep.Checked(credentials.verifyPassword(user.get(), password.get()), user.get(),
                            Optional.empty(), Optional.empty());
                } finally {
                    Arrays.fill(password.get(), '\0');
                }
            }
        };
    }
}
