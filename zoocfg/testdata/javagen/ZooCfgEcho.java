// ZooCfgEcho asks the real ZooKeeper 3.8 QuorumPeerConfig what it makes of
// whole zoo.cfg files (plus myid and dynamic config files), to produce
// zoocfg/testdata/java_vectors.txt. See README.md for the case format.
//
// For every case it writes the case's files into a fresh directory (every
// "@DIR@" in them replaced by that directory), resets the JVM-wide state
// that QuorumPeerConfig leaves behind (its static standaloneEnabled and
// reconfigEnabled, every zookeeper.* system property, the four-letter-word
// whitelist), sets the case's "jvm" properties, calls
// QuorumPeerConfig.parse(dir/zoo.cfg) and prints what a QuorumPeer would
// then use, reading the system properties exactly the way the ZooKeeper
// classes that use them do. WARN and ERROR lines ZooKeeper logs while
// parsing are captured and printed too.
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.apache.zookeeper.server.command.FourLetterCommands;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;

public class ZooCfgEcho {
    static final String[] WORDS = {"conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash", "isro",
        "mntr", "ruok", "srst", "srvr", "stat", "stmk", "wchc", "wchp", "wchs"};

    static class Case {
        String name;
        String header;
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<String> jvm = new ArrayList<>();
    }

    public static void main(String[] args) throws Exception {
        List<Case> cases = read(Paths.get(args[0]));
        PrintStream realErr = System.err;
        StringBuilder out = new StringBuilder();
        for (Case c : cases) {
            Path dir = Files.createTempDirectory("zoocfg-");
            String d = dir.toString();
            for (Map.Entry<String, byte[]> f : c.files.entrySet()) {
                Path p = dir.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                byte[] content = new String(f.getValue(), StandardCharsets.ISO_8859_1)
                    .replace("@DIR@", d).getBytes(StandardCharsets.ISO_8859_1);
                Files.write(p, content);
            }
            reset();
            for (String kv : c.jvm) {
                int eq = kv.indexOf('=');
                System.setProperty(kv.substring(0, eq), kv.substring(eq + 1));
            }
            ByteArrayOutputStream logs = new ByteArrayOutputStream();
            System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            try {
                QuorumPeerConfig cfg = new QuorumPeerConfig();
                cfg.parse(dir.resolve("zoo.cfg").toString());
                describe(cfg, lines);
            } catch (Throwable t) {
                lines.clear();
                StringBuilder chain = new StringBuilder();
                for (Throwable e = t; e != null; e = e.getCause()) {
                    if (chain.length() > 0) {
                        chain.append(" <- ");
                    }
                    chain.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
                }
                lines.add("error=" + quote(chain.toString()));
            } finally {
                System.setErr(realErr);
            }
            for (String log : new String(logs.toByteArray(), StandardCharsets.UTF_8).split("\n")) {
                int at = log.indexOf(" WARN ");
                if (at < 0) {
                    at = log.indexOf(" ERROR ");
                }
                if (at < 0) {
                    continue;
                }
                int msg = log.indexOf(" - ", at);
                lines.add("log=" + quote(log.substring(msg + 3)));
            }
            out.append("=== ").append(c.header).append('\n');
            for (String l : lines) {
                out.append(l.replace(d, "@DIR@")).append('\n');
            }
        }
        System.out.print(out);
    }

    static void reset() {
        QuorumPeerConfig.setStandaloneEnabled(true);
        QuorumPeerConfig.setReconfigEnabled(false);
        for (String k : new ArrayList<>(System.getProperties().stringPropertyNames())) {
            if (k.startsWith("zookeeper.")) {
                System.clearProperty(k);
            }
        }
        FourLetterCommands.resetWhiteList();
    }

    static void describe(QuorumPeerConfig cfg, List<String> lines) {
        lines.add("distributed=" + cfg.isDistributed());
        lines.add("serverId=" + cfg.getServerId());
        lines.add("tickTime=" + cfg.getTickTime());
        lines.add("initLimit=" + cfg.getInitLimit());
        lines.add("syncLimit=" + cfg.getSyncLimit());
        lines.add("dataDir=" + quote(cfg.getDataDir().getPath()));
        InetSocketAddress client = cfg.getClientPortAddress();
        lines.add("clientAddr=" + (client == null ? "" : quote(hostPort(client))));
        lines.add("peerType=" + cfg.getPeerType());
        lines.add("electionAlg=" + cfg.getElectionAlg());
        lines.add("standaloneEnabled=" + QuorumPeerConfig.isStandaloneEnabled());
        lines.add("reconfigEnabled=" + QuorumPeerConfig.isReconfigEnabled());
        lines.add("multiAddressEnabled=" + cfg.isMultiAddressEnabled());
        lines.add("quorumListenOnAllIPs=" + cfg.getQuorumListenOnAllIPs());
        lines.add("verifier=" + (cfg.getQuorumVerifier() == null ? "" : quote(cfg.getQuorumVerifier().toString())));
        lines.add("lastSeen=" + (cfg.getLastSeenQuorumVerifier() == null ? "" : quote(cfg.getLastSeenQuorumVerifier().toString())));
        // QuorumCnxManager's constructor: Integer.parseInt, so a bad value
        // stops the server.
        String cnx = System.getProperty("zookeeper.cnxTimeout");
        try {
            lines.add("cnxTimeout=" + (cnx == null ? 5000 : Integer.parseInt(cnx)));
        } catch (NumberFormatException e) {
            lines.add("cnxTimeout=error");
        }
        // QuorumPeer's static initialiser.
        lines.add("quorumCnxnTimeoutMs=" + Integer.getInteger("zookeeper.quorumCnxnTimeoutMs", -1));
        // QuorumCnxManager.Listener: negative values fall back to 3.
        Integer retry = Integer.getInteger("zookeeper.electionPortBindRetry", 3);
        lines.add("electionPortBindRetry=" + (retry >= 0 ? retry : 3));
        lines.add("tcpKeepAlive=" + Boolean.getBoolean("zookeeper.tcpKeepAlive"));
        // FastLeaderElection's static initialiser.
        lines.add("minNotificationInterval=" + Integer.getInteger("zookeeper.fastleader.minNotificationInterval", 200));
        lines.add("maxNotificationInterval=" + Integer.getInteger("zookeeper.fastleader.maxNotificationInterval", 60000));
        TreeSet<String> words = new TreeSet<>();
        for (String w : WORDS) {
            if (FourLetterCommands.isEnabled(w)) {
                words.add(w);
            }
        }
        lines.add("4lw=" + String.join(",", words));
    }

    static String hostPort(InetSocketAddress a) {
        String h = a.getHostString();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    // read parses cases.txt (README.md).
    static List<Case> read(Path path) throws Exception {
        List<Case> cases = new ArrayList<>();
        Case cur = null;
        String file = null;
        boolean quoted = false;
        StringBuilder body = null;
        for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
            if (line.startsWith("=== ") || line.startsWith("--- ")) {
                if (file != null) {
                    cur.files.put(file, body.toString().getBytes(StandardCharsets.ISO_8859_1));
                    file = null;
                }
            }
            if (line.startsWith("=== ")) {
                cur = new Case();
                cur.header = line.substring(4);
                cases.add(cur);
                continue;
            }
            if (line.startsWith("--- ")) {
                String[] f = line.substring(4).split(" ");
                if (f[0].equals("jvm")) {
                    file = null;
                    body = null;
                    quoted = false;
                    cur.jvm.add(f[1]);
                    continue;
                }
                file = f[0];
                quoted = f.length > 1 && f[1].equals("quoted");
                body = new StringBuilder();
                continue;
            }
            if (line.isEmpty() && file != null) {
                // A blank line ends a file.
                cur.files.put(file, body.toString().getBytes(StandardCharsets.ISO_8859_1));
                file = null;
            }
            if (file == null) {
                continue; // comments between cases
            }
            if (quoted) {
                body.append(unquote(line));
            } else {
                body.append(line).append('\n');
            }
        }
        if (file != null) {
            cur.files.put(file, body.toString().getBytes(StandardCharsets.ISO_8859_1));
        }
        return cases;
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
                    } else if (c > 0x7e) {
                        // Keep the output ASCII whatever the JVM's charset.
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"').toString();
    }

    // unquote reads a Go double-quoted literal using only \n \r \t \f \\ \"
    // and \xHH (one Latin-1 char, so a file can hold any byte).
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
                default: b.append(c);
            }
        }
        return b.toString();
    }
}
