package kg.neo4jlocal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.server.configuration.ConfigurableServerModules;
import org.neo4j.server.configuration.ServerSettings;

/**
 * Runs an embedded Neo4j Community server with the Bolt connector bound to 127.0.0.1 and, when an
 * HTTP port is given, the HTTP connector on 127.0.0.1 too (transactional Cypher endpoint and Neo4j
 * Browser only).
 *
 * <p>Usage: {@code java -jar neo4j-local.jar HOME BOLT_PORT [HTTP_PORT]}
 *
 * <p>Authentication is on. On the first start in HOME the password of user {@code neo4j} is read from
 * the first line of standard input (at least 8 characters; never from the environment or the command
 * line, so no query can read it from {@code /proc/self/environ}) and a marker file is written; later
 * starts leave the stored password alone.
 *
 * <p>LOAD CSV cannot read local files: file URLs are disallowed and the import directory is an empty
 * folder under HOME.
 *
 * <p>With HTTP_PORT the server's own web server (neo4j-server, part of {@code org.neo4j:neo4j}) serves
 * {@code /db/{name}/tx} (HTTP Cypher, same users and passwords as Bolt) and {@code /browser/}: Neo4j
 * Browser's static files, from the {@code browser/} folder of the {@code org.neo4j.client:neo4j-browser}
 * jar on the classpath. Unmanaged extensions and the Query API stay off, CORS is limited to the
 * server's own origin and the Browser's usage telemetry is off. Without HTTP_PORT there is no HTTP.
 *
 * <p>Prints {@code neo4j-local: HTTP http://127.0.0.1:PORT} and {@code neo4j-local: BROWSER
 * http://127.0.0.1:PORT/browser/} (or {@code neo4j-local: NO-BROWSER} and why) when HTTP is on, then
 * {@code neo4j-local: READY bolt://127.0.0.1:PORT} on stdout once the server accepts authenticated
 * connections; shuts down cleanly on SIGTERM/SIGINT (shutdown hook).
 */
public final class Main {
    /** Marker written (under HOME) once the initial password has been set. */
    static final String PASSWORD_MARKER = "kg-neo4j-local.password-initialized";
    static final String INITIAL_USER = "neo4j";
    static final int MIN_PASSWORD_LENGTH = 8;
    /** Where the neo4j-browser jar keeps the Browser (the path neo4j-server looks up on the classpath). */
    static final String BROWSER_INDEX = "browser/index.html";

    private Main() {}

    public static void main(String[] args) {
        if (args.length != 2 && args.length != 3) {
            System.err.println("usage: java -jar neo4j-local.jar HOME BOLT_PORT [HTTP_PORT]   (stdin: initial password)");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath().normalize();
        int port = parsePort(args[1], "bolt");
        int httpPort = args.length == 3 ? parsePort(args[2], "http") : -1;
        if (httpPort == port) {
            System.err.println("neo4j-local: the HTTP port must differ from the Bolt port (" + port + ")");
            System.exit(2);
        }
        boolean http = httpPort > 0;

        Path marker = home.resolve(PASSWORD_MARKER);
        boolean firstStart = !Files.exists(marker);
        String password = firstStart ? readPassword() : null;
        if (firstStart && (password == null || password.length() < MIN_PASSWORD_LENGTH)) {
            System.err.println("neo4j-local: first start in " + home + " needs the initial password on standard input"
                    + " (at least " + MIN_PASSWORD_LENGTH + " characters)");
            System.exit(2);
        }

        DatabaseManagementService dbms;
        try {
            Files.createDirectories(home);
            Path importDir = home.resolve("import-empty");
            Files.createDirectories(importDir);
            DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                    .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                    .setConfig(HttpConnector.enabled, http)
                    .setConfig(HttpsConnector.enabled, false);
            if (http) {
                builder = builder
                        .setConfig(HttpConnector.listen_address, new SocketAddress("127.0.0.1", httpPort))
                        .setConfig(HttpConnector.advertised_address, new SocketAddress("127.0.0.1", httpPort))
                        .setConfig(ServerSettings.http_enabled_modules, EnumSet.of(
                                ConfigurableServerModules.TRANSACTIONAL_ENDPOINTS, ConfigurableServerModules.BROWSER))
                        // CORS: only pages of this server (the Browser) may read its answers
                        .setConfig(ServerSettings.http_access_control_allow_origin, "http://127.0.0.1:" + httpPort)
                        .setConfig(ServerSettings.allow_telemetry, false)
                        // neo4j-server serves a neo4j-browser-*.zip found there before the classpath jar:
                        // point it at a folder that is never created
                        .setConfig(ServerSettings.web_dir_path, home.resolve("web-empty"));
            }
            dbms = builder
                    .setConfig(GraphDatabaseSettings.auth_enabled, true)
                    // the console is reachable by users: no file:// reads, and an empty import root
                    .setConfig(GraphDatabaseSettings.allow_file_urls, false)
                    .setConfig(GraphDatabaseSettings.load_csv_file_url_root, importDir)
                    .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(256))
                    .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    // Databases are already checkpointed and closed when Bolt stops: skip netty's
                    // default 5 s quiet period (x2) so SIGTERM returns in about a second.
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .build();
        } catch (Throwable t) {
            System.err.println("neo4j-local: failed to start Neo4j in " + home + " on 127.0.0.1:" + port
                    + (http ? " (HTTP " + httpPort + ")" : "") + ": " + t);
            t.printStackTrace();
            System.exit(1);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        final DatabaseManagementService service = dbms;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("neo4j-local: shutting down");
            System.out.flush();
            try {
                service.shutdown();
            } finally {
                System.out.println("neo4j-local: stopped");
                System.out.flush();
                stopped.countDown();
            }
        }, "neo4j-local-shutdown"));

        if (firstStart) {
            try {
                // Embedded transactions run with full rights; Community supports ALTER USER.
                dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                        "ALTER USER " + INITIAL_USER + " SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
                writeMarker(marker);
            } catch (Throwable t) {
                System.err.println("neo4j-local: could not set the initial password: " + t);
                t.printStackTrace();
                System.exit(1);
            }
            System.out.println("neo4j-local: initial password set for user " + INITIAL_USER);
        }

        System.out.println("neo4j-local: Neo4j " + neo4jVersion() + ", home " + home);
        if (http) {
            System.out.println("neo4j-local: HTTP http://127.0.0.1:" + httpPort);
            if (Main.class.getClassLoader().getResource(BROWSER_INDEX) != null) {
                System.out.println("neo4j-local: BROWSER http://127.0.0.1:" + httpPort + "/browser/");
            } else {
                System.out.println("neo4j-local: NO-BROWSER " + BROWSER_INDEX
                        + " is not on the classpath (the org.neo4j.client:neo4j-browser jar is missing)");
            }
        }
        System.out.println("neo4j-local: READY bolt://127.0.0.1:" + port);
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int parsePort(String text, String what) {
        int p;
        try {
            p = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > 65535) {
            System.err.println("neo4j-local: invalid " + what + " port: " + text);
            System.exit(2);
        }
        return p;
    }

    private static String readPassword() {
        try {
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line = in.readLine();
            return line == null ? null : line.strip();
        } catch (IOException e) {
            return null;
        }
    }

    private static void writeMarker(Path marker) throws IOException {
        Path tmp = marker.resolveSibling(marker.getFileName() + ".tmp");
        Files.writeString(tmp, "initial password set\n", StandardCharsets.UTF_8);
        Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String neo4jVersion() {
        Package p = DatabaseManagementService.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "5.26" : v;
    }
}
