package casegraph;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.SettingImpl;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.fleetmanagement.FleetManagementSettings;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.config.Setting;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.Version;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs Neo4j Community in-process with Bolt on 127.0.0.1 for casegraph's demo and tests.
 *
 * <pre>
 *   java ... casegraph.LocalNeo4j --port N --data DIR [--pagecache 512m] [--heap-ignored]
 *                                 [--plugins DIR] [--unrestricted 'gds.*,...']
 *                                 [--exit-when-ready]
 * </pre>
 *
 * <p>{@code --plugins DIR} is Neo4j's plugin directory: the procedures and functions of the
 * jars in it are registered (the same jars must also be on the classpath, as Neo4j's own
 * launcher puts {@code plugins/*} there, so that their kernel extensions load).
 * {@code --unrestricted} lists the procedures allowed to use Neo4j's internal API
 * ({@code dbms.security.procedures.unrestricted}; Graph Data Science needs {@code gds.*}).
 *
 * <p>DIR is the Neo4j home: the store goes to DIR/data, the debug log to DIR/logs. The user log
 * goes to stderr. Once Bolt answers, exactly one line {@code casegraph-neo4j ready
 * bolt://127.0.0.1:N} is printed on stdout; the process then runs until it is signalled
 * (SIGTERM/SIGINT shut the database down cleanly). Any start-up failure is printed on stderr and
 * the process exits with status 1 (2 for bad arguments). {@code --exit-when-ready} shuts down
 * cleanly right after the ready line (a smoke test).
 *
 * <p>Authentication is disabled: Bolt listens on the loopback interface only.
 */
public final class LocalNeo4j {
    private static final String HOST = "127.0.0.1";

    private LocalNeo4j() {}

    public static void main(String[] args) {
        int port = -1;
        Path data = null;
        String pagecache = "512m";
        boolean exitWhenReady = false;
        Path plugins = null;
        String unrestricted = "";
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--port" -> port = parsePort(value(args, ++i, arg));
                case "--data" -> data = Path.of(value(args, ++i, arg));
                case "--pagecache" -> pagecache = value(args, ++i, arg);
                case "--heap-ignored" -> { /* heap is set by the JVM's -Xmx; accepted for symmetry */ }
                case "--heap" -> value(args, ++i, arg); // likewise ignored
                case "--plugins" -> plugins = Path.of(value(args, ++i, arg));
                case "--unrestricted" -> unrestricted = value(args, ++i, arg);
                case "--exit-when-ready" -> exitWhenReady = true; // smoke test / JVM training run
                default -> usage("unknown argument: " + arg);
            }
        }
        if (port < 0) {
            usage("--port is required");
        }
        if (data == null) {
            usage("--data is required");
        }
        long pagecacheBytes = 0;
        try {
            pagecacheBytes = ByteUnit.parse(pagecache);
        } catch (RuntimeException e) {
            usage("invalid --pagecache value: " + pagecache);
        }

        try {
            run(port, data.toAbsolutePath().normalize(), pagecacheBytes, plugins, unrestricted,
                    exitWhenReady);
        } catch (Throwable t) {
            t.printStackTrace(System.err);
            // Last, so that it ends the log that casegraph shows.
            System.err.println("casegraph-neo4j: failed to start Neo4j on " + HOST + ":" + port
                    + ": " + describe(t));
            System.err.flush();
            Runtime.getRuntime().halt(1);
        }
    }

    private static void run(int port, Path home, long pagecacheBytes, Path plugins,
            String unrestricted, boolean exitWhenReady) throws Exception {
        checkPortFree(port);
        Files.createDirectories(home.resolve("logs"));

        Log4jLogProvider userLog = new Log4jLogProvider(System.err, Level.INFO);
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                .setUserLogProvider(userLog)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.logs_directory, home.resolve("logs"))
                .setConfig(GraphDatabaseSettings.pagecache_memory, pagecacheBytes)
                .setConfig(GraphDatabaseSettings.pagecache_warmup_enabled, false)
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.preallocate_store_files, false)
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "1 files")
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(FleetManagementSettings.fleet_manager_enabled, false)
                // Bolt waits 2 x 5 s for idle connections and Netty's quiet period by default;
                // a local, single-user server can stop at once (tests stop and start it).
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout,
                        Duration.ofSeconds(2))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time,
                        Duration.ofSeconds(2))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time,
                        Duration.ofSeconds(1));
        // An Integer (seconds) before Neo4j 2026.02, a Duration since: parsed from text so that
        // this class compiles against every Neo4j version neo4j-local is built for.
        setParsed(builder, GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, "0");
        if (plugins != null) {
            builder.setConfig(GraphDatabaseSettings.plugin_dir, plugins.toAbsolutePath().normalize());
        }
        if (!unrestricted.isBlank()) {
            builder.setConfig(GraphDatabaseSettings.procedure_unrestricted,
                    List.of(unrestricted.split(",")));
        }
        DatabaseManagementService service = builder.build();

        AtomicBoolean stopped = new AtomicBoolean(false);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (stopped.compareAndSet(false, true)) {
                System.err.println("casegraph-neo4j: shutting down");
                try {
                    service.shutdown();
                } catch (Throwable t) {
                    System.err.println("casegraph-neo4j: error during shutdown: " + describe(t));
                }
                userLog.close();
                System.err.println("casegraph-neo4j: stopped");
                System.err.flush();
            }
            done.countDown();
        }, "casegraph-neo4j-shutdown"));

        // build() returns once the DBMS is started; make sure the default database is usable.
        GraphDatabaseService db = service.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!db.isAvailable(60_000)) {
            throw new IllegalStateException("the default database did not become available");
        }
        long started = uptimeMillis();
        db.executeTransactionally("RETURN 1"); // warms up Cypher for the first client query
        System.err.println("casegraph-neo4j: Neo4j " + Version.getNeo4jVersion() + " started in "
                + started + " ms, Cypher ready in " + uptimeMillis() + " ms (JVM uptime)");
        System.out.println("casegraph-neo4j ready bolt://" + HOST + ":" + port);
        System.out.flush();
        if (exitWhenReady) {
            System.exit(0); // runs the shutdown hook
        }
        done.await();
    }

    @SuppressWarnings("unchecked")
    private static <T> void setParsed(
            DatabaseManagementServiceBuilder builder, Setting<T> setting, String value) {
        builder.setConfig(setting, ((SettingImpl<T>) setting).parse(value));
    }

    private static long uptimeMillis() {
        return ManagementFactory.getRuntimeMXBean().getUptime();
    }

    /** Fails early, with a plain message, when something else already listens on the port. */
    private static void checkPortFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
        } catch (IOException e) {
            throw new IllegalStateException(
                    "port " + port + " on " + HOST + " is already in use (" + e.getMessage() + ")");
        }
    }

    private static String describe(Throwable t) {
        StringBuilder out = new StringBuilder(String.valueOf(t.getMessage()));
        Throwable cause = t.getCause();
        while (cause != null && cause != cause.getCause()) {
            out.append(" <- ").append(cause.getClass().getSimpleName()).append(": ")
                    .append(cause.getMessage());
            cause = cause.getCause();
        }
        return out.toString();
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            usage(name + " needs a value");
        }
        return args[i];
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port > 0 && port < 65536) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        usage("invalid --port value: " + text);
        return -1;
    }

    private static void usage(String problem) {
        System.err.println("casegraph-neo4j: " + problem);
        System.err.println(
                "usage: casegraph.LocalNeo4j --port N --data DIR [--pagecache 512m] [--heap-ignored]"
                        + " [--plugins DIR] [--unrestricted 'gds.*'] [--exit-when-ready]");
        System.exit(2);
    }
}
