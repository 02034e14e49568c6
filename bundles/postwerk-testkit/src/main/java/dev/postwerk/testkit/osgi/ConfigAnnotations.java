package dev.postwerk.testkit.osgi;

import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Makes an instance of a component's configuration annotation (as DS would) from a map, for
 * unit tests that construct components directly. Missing keys take the annotation's defaults.
 * Keys are method names; DS's name mangling ({@code _} to {@code .}) is not applied.
 */
public final class ConfigAnnotations {

    private ConfigAnnotations() {
    }

    public static <A> A of(Class<A> type, Map<String, ?> values) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
            switch (method.getName()) {
                case "annotationType":
                    return type;
                case "toString":
                    return type.getSimpleName() + values;
                case "hashCode":
                    return values.hashCode();
                case "equals":
                    return p == args[0];
                default:
                    Object value = values.get(method.getName());
                    if (value == null) {
                        value = method.getDefaultValue();
                    }
                    if (value == null) {
                        throw new IllegalStateException("no value and no default for " + method.getName());
                    }
                    return value;
            }
        });
        return type.cast(proxy);
    }

    public static <A> A defaults(Class<A> type) {
        return of(type, Map.of());
    }
}
