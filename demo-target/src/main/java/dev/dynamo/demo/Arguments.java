package dev.dynamo.demo;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/** Reads {@code --name value} options one at a time, with the checks both modes share. */
final class Arguments {
    private final Iterator<String> remaining;

    Arguments(String[] args) {
        List<String> list = Arrays.asList(args);
        this.remaining = list.iterator();
    }

    boolean hasNext() {
        return remaining.hasNext();
    }

    String next() {
        return remaining.next();
    }

    /** The value that follows {@code option}. */
    String value(String option) throws UsageException {
        if (!remaining.hasNext()) {
            throw new UsageException("option " + option + " needs a value");
        }
        return remaining.next();
    }

    /** The integer that follows {@code option}, checked to lie in {@code [min, max]}. */
    int intValue(String option, int min, int max) throws UsageException {
        String text = value(option);
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException notANumber) {
            throw new UsageException("option " + option + " needs an integer, got '" + text + "'");
        }
        if (value < min || value > max) {
            throw new UsageException("option " + option + " must be between " + min + " and " + max + ", got "
                    + value);
        }
        return value;
    }
}
