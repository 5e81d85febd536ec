package dev.dynamo.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * The body of {@code POST /compute}: {@code {"id": 7, "values": [1.5, 2, 3]}}. Keys may come in any
 * order; other keys are rejected so that a typo does not go unnoticed.
 */
final class ComputeRequest {
    static final int MAX_VALUES = 10_000;

    final long id;
    final double[] values;

    ComputeRequest(long id, double[] values) {
        this.id = id;
        this.values = values.clone();
    }

    /** The request the client sends as number {@code id}: deterministic, so that the client can check the reply. */
    static ComputeRequest sample(long id) {
        double[] values = new double[64];
        for (int k = 0; k < values.length; k++) {
            values[k] = ((id * 31 + k * 17) % 1000) / 10.0;
        }
        return new ComputeRequest(id, values);
    }

    String toJson() {
        StringBuilder json = new StringBuilder("{\"id\":").append(id).append(",\"values\":[");
        for (int i = 0; i < values.length; i++) {
            json.append(i == 0 ? "" : ",").append(values[i]);
        }
        return json.append("]}").toString();
    }

    /**
     * Parses a request body.
     *
     * @throws IllegalArgumentException when the body is not such an object; the message says where
     */
    static ComputeRequest parse(String json) {
        return new Parser(json).request();
    }

    private static final class Parser {
        private final String text;
        private int position;

        Parser(String text) {
            this.text = text;
        }

        ComputeRequest request() {
            Long id = null;
            double[] values = null;
            expect('{');
            if (!consume('}')) {
                do {
                    skipWhitespace();
                    int keyStart = position;
                    String key = string();
                    expect(':');
                    if (key.equals("id") && id == null) {
                        id = integer();
                    } else if (key.equals("values") && values == null) {
                        values = numbers();
                    } else {
                        throw error(keyStart,
                                "unexpected key \"" + key + "\" (expected \"id\" and \"values\", once each)");
                    }
                } while (consume(','));
                expect('}');
            }
            skipWhitespace();
            if (position != text.length()) {
                throw error("unexpected text after the object");
            }
            if (id == null || values == null) {
                throw error("the object needs both \"id\" and \"values\"");
            }
            return new ComputeRequest(id, values);
        }

        private String string() {
            expect('"');
            int end = text.indexOf('"', position);
            if (end < 0) {
                throw error("unterminated string");
            }
            String value = text.substring(position, end);
            position = end + 1;
            return value;
        }

        private long integer() {
            String token = numberToken();
            try {
                return Long.parseLong(token);
            } catch (NumberFormatException notAnInteger) {
                throw error(position - token.length(), "\"id\" must be an integer, got " + token);
            }
        }

        private double[] numbers() {
            List<Double> values = new ArrayList<>();
            expect('[');
            if (!consume(']')) {
                do {
                    if (values.size() == MAX_VALUES) {
                        throw error("more than " + MAX_VALUES + " values");
                    }
                    values.add(number());
                } while (consume(','));
                expect(']');
            }
            if (values.isEmpty()) {
                throw error("\"values\" must not be empty");
            }
            double[] array = new double[values.size()];
            for (int i = 0; i < array.length; i++) {
                array[i] = values.get(i);
            }
            return array;
        }

        private double number() {
            String token = numberToken();
            try {
                double value = Double.parseDouble(token);
                if (Double.isInfinite(value)) {
                    throw error(position - token.length(), "number out of range: " + token);
                }
                return value;
            } catch (NumberFormatException notANumber) {
                throw error(position - token.length(), "not a number: " + token);
            }
        }

        private String numberToken() {
            skipWhitespace();
            int start = position;
            while (position < text.length() && "+-.0123456789eE".indexOf(text.charAt(position)) >= 0) {
                position++;
            }
            if (start == position) {
                throw error("expected a number");
            }
            return text.substring(start, position);
        }

        private void expect(char c) {
            if (!consume(c)) {
                throw error("expected '" + c + "'");
            }
        }

        private boolean consume(char c) {
            skipWhitespace();
            if (position < text.length() && text.charAt(position) == c) {
                position++;
                return true;
            }
            return false;
        }

        private void skipWhitespace() {
            while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
                position++;
            }
        }

        private IllegalArgumentException error(String problem) {
            return error(position, problem);
        }

        private IllegalArgumentException error(int at, String problem) {
            return new IllegalArgumentException("bad request body at character " + at + ": " + problem);
        }
    }
}
