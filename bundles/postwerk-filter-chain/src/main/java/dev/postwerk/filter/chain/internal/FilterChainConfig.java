package dev.postwerk.filter.chain.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Postwerk filter chain",
        description = "How mail filters are run: every registered filter, by service.ranking, with a time limit.")
public @interface FilterChainConfig {

    @AttributeDefinition(name = "Time limit per filter call (ms)",
            description = "A filter that takes longer gives the client a temporary failure (451 4.3.0); mail is never lost.")
    long timeoutMillis() default 30000;

    @AttributeDefinition(name = "Filter threads",
            description = "Most filter calls running at once; callers wait beyond this.")
    int threads() default 32;
}
