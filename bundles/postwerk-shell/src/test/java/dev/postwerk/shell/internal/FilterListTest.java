package dev.postwerk.shell.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.postwerk.api.filter.FilterChain;
import dev.postwerk.api.filter.FilterChain.FilterDescription;
import dev.postwerk.api.filter.FilterChain.Stage;

class FilterListTest {

    @Test
    void printsEachStageInChainOrder() throws Exception {
        List<FilterDescription> described = List.of(
                new FilterDescription("dnsbl", "dev.example.dnsbl", 20000, 41, Set.of(Stage.CONNECT)),
                new FilterDescription("spam", "dev.postwerk.postwerk-filter-spam", 500, 42, Set.of(Stage.DATA, Stage.DELIVERY)),
                new FilterDescription("late", "dev.example.late", 10, 43, Set.of(Stage.DATA)));
        FilterList command = new FilterList();
        command.chain = (FilterChain) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {FilterChain.class}, (p, m, a) -> m.getName().equals("describe") ? described : null);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            command.execute();
        } finally {
            System.setOut(original);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.matches("(?s).*connect\\s+\\|\\s+1\\s+\\|\\s+20000\\s+\\|\\s+dnsbl.*"), out);
        assertTrue(out.matches("(?s).*data\\s+\\|\\s+1\\s+\\|\\s+500\\s+\\|\\s+spam.*data\\s+\\|\\s+2\\s+\\|\\s+10\\s+\\|\\s+late.*"), out);
        assertTrue(out.matches("(?s).*delivery\\s+\\|\\s+1\\s+\\|\\s+500\\s+\\|\\s+spam.*"), out);
    }
}
