// ConfigEcho asks the real ZooKeeper 3.8 classes what they make of config
// strings, to produce quorum/testdata/java_vectors.txt. See README.md.
//
// Input: one case per line, "<expectation> <kind> <go-quoted string>",
// blank lines and lines starting with # ignored. The expectation (match,
// stricter, laxer) is copied through for the Go test. Kinds:
//   config   the string goes through Properties.load and
//            QuorumPeerConfig.parseDynamicConfig (what configFromString
//            does); the result is the verifier's toString()
//   server:N the string is the value of server.N; the result is
//            new QuorumServer(N, value).toString()
//   equals   two configs separated by "\n%%\n"; the result is
//            "true"/"false" from QuorumVerifier.equals
//   longmap  comma-separated longs put in that order into a
//            HashMap<Long, Long>; the result is its iteration order
//   props    Properties text; the result is its keys in iteration order,
//            one per line
// Output: "<expectation> <kind> <quoted input> <quoted result>", or
// "... error" when Java threw (any Throwable: ConfigException, NumberFormatException,
// NullPointerException, ...).
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Properties;

import org.apache.zookeeper.server.quorum.QuorumPeer.QuorumServer;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.apache.zookeeper.server.quorum.flexible.QuorumVerifier;

public class ConfigEcho {
    public static void main(String[] args) throws Exception {
        System.setProperty("zookeeper.multiAddress.enabled", "true");
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8)) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" ", 3);
            String expect = f[0];
            String kind = f[1];
            String input = unquote(f[2]);
            String result;
            try {
                result = quote(run(kind, input));
            } catch (Throwable t) {
                result = "error";
            }
            out.append(expect).append(' ').append(kind).append(' ').append(quote(input)).append(' ').append(result).append('\n');
        }
        System.out.print(out);
    }

    static String run(String kind, String input) throws Exception {
        if (kind.equals("config")) {
            return parse(input).toString();
        }
        if (kind.startsWith("server:")) {
            return new QuorumServer(Long.parseLong(kind.substring(7)), input).toString();
        }
        if (kind.equals("equals")) {
            String[] two = input.split("\n%%\n", -1);
            return String.valueOf(parse(two[0]).equals(parse(two[1])));
        }
        if (kind.equals("longmap")) {
            java.util.HashMap<Long, Long> m = new java.util.HashMap<>();
            for (String v : input.split(",")) {
                m.put(Long.parseLong(v), 0L);
            }
            return joinKeys(m.keySet(), ",");
        }
        if (kind.equals("props")) {
            Properties props = new Properties();
            props.load(new StringReader(input));
            return joinKeys(props.keySet(), "\n");
        }
        throw new IllegalArgumentException("unknown kind " + kind);
    }

    static String joinKeys(java.util.Set<?> keys, String sep) {
        StringBuilder b = new StringBuilder();
        boolean first = true;
        for (Object k : keys) {
            if (!first) {
                b.append(sep);
            }
            first = false;
            b.append(k);
        }
        return b.toString();
    }

    static QuorumVerifier parse(String s) throws Exception {
        Properties props = new Properties();
        props.load(new StringReader(s));
        return QuorumPeerConfig.parseDynamicConfig(props, 3, false, false, null);
    }

    // quote writes a Go double-quoted string literal (strconv.Unquote reads it).
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"').toString();
    }

    // unquote reads the Go literals quote writes, plus \f and \\uXXXX.
    static String unquote(String q) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < q.length() - 1; i++) {
            char c = q.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            c = q.charAt(++i);
            switch (c) {
                case 'n': b.append('\n'); break;
                case 'r': b.append('\r'); break;
                case 't': b.append('\t'); break;
                case 'f': b.append('\f'); break;
                case 'x': b.append((char) Integer.parseInt(q.substring(i + 1, i + 3), 16)); i += 2; break;
                case 'u': b.append((char) Integer.parseInt(q.substring(i + 1, i + 5), 16)); i += 4; break;
                default: b.append(c);
            }
        }
        return b.toString();
    }
}
