import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.h2.mvstore.MVStore;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

/**
 * Starts mongo-java-server on a chosen host and port with its H2 (MVStore)
 * file backend. The library's own main classes bind only localhost:27017,
 * hence this launcher. Run in Java's source-file mode:
 *
 *   java -cp 'jars/*' LocalMongoServer.java HOST PORT DATA_FILE [--commit=write|periodic] [--fsync]
 *
 * --commit=write (default): every command that changed data is committed to the
 *   MVStore file (handed to the OS with write()) BEFORE its reply is sent, so an
 *   acknowledged write survives kill -9 of this process. Concurrent writers share
 *   commits (group commit): a reply never precedes the commit holding its write.
 * --commit=periodic: the library's default, MVStore's background commit about once
 *   a second; loses the last ~second of acknowledged writes on kill -9. Kept only
 *   so bench/store_write_path.py can compare.
 * --fsync: also fsync the file after each commit (survives power loss, not only a
 *   process kill); slower, off by default. See docs/adr/0006-durable-local-store.md.
 */
public final class LocalMongoServer {

    private static final int RETENTION_MS = 2000;

    /** Commands that may change data: always committed before the reply. */
    private static final Set<String> WRITE_COMMANDS = Set.of(
        "insert", "update", "delete", "findandmodify", "create", "createindexes", "drop",
        "dropdatabase", "dropindexes", "renamecollection", "collmod");

    /** H2Backend that commits (group commit) after every command that changed data. */
    static final class DurableH2Backend extends H2Backend {
        private final MVStore store;
        private final boolean fsync;
        private final Object commitLock = new Object();
        private final AtomicLong finished = new AtomicLong(); // commands done, before their commit
        private long committed; // every command numbered <= this is in a written chunk (guarded by commitLock)

        DurableH2Backend(MVStore store, boolean fsync) {
            super(store);
            this.store = store;
            this.fsync = fsync;
        }

        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            try {
                return super.handleCommand(channel, database, command, query);
            } finally {
                // Also after a failed command: an insert of many documents may have stored
                // some before hitting a duplicate key. Reads skip this unless something
                // (e.g. aggregate with $out) left changes behind.
                if (WRITE_COMMANDS.contains(command.toLowerCase(Locale.ROOT)) || store.hasUnsavedChanges()) {
                    commitThrough(finished.incrementAndGet());
                }
            }
        }

        private void commitThrough(long ticket) {
            synchronized (commitLock) {
                if (committed >= ticket) {
                    return; // another thread's commit, started after our write, holds it
                }
                long upTo = finished.get(); // every write numbered <= upTo finished before this line
                store.commit(); // synchronous: the chunk is written when it returns
                // MVStore's own background or memory-triggered commits write asynchronously;
                // if one took our changes first, commit() found nothing to do. Wait for
                // every queued chunk write, so the reply never overtakes the data.
                store.executeFilestoreOperation(fsync ? store::sync : () -> { });
                committed = upTo;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> positional = new ArrayList<>();
        String commit = "write";
        boolean fsync = false;
        for (String arg : args) {
            if (arg.startsWith("--commit=")) {
                commit = arg.substring("--commit=".length());
            } else if (arg.equals("--fsync")) {
                fsync = true;
            } else {
                positional.add(arg);
            }
        }
        if (positional.size() != 3 || !(commit.equals("write") || commit.equals("periodic"))) {
            System.err.println("usage: LocalMongoServer HOST PORT DATA_FILE [--commit=write|periodic] [--fsync]");
            System.exit(2);
        }
        MVStore store = MVStore.open(positional.get(2));
        H2Backend backend;
        if (commit.equals("write")) {
            // One chunk per commit: with MVStore's default 45 s before a freed chunk's
            // space is reused, the file grew by ~16 KB per write (160 MB in a minute of
            // tests). Old chunks only serve map traversals still in progress, and those
            // last one command here, so 2 s is plenty. A process kill loses nothing
            // either way: what was written is in the OS's page cache.
            store.setRetentionTime(RETENTION_MS);
            backend = new DurableH2Backend(store, fsync);
        } else {
            backend = new H2Backend(store);
        }
        // Newest server version the library emulates. buildInfo then says 5.0.0,
        // but hello/isMaster still reports maxWireVersion 8 (MongoDB 4.2's): that
        // is what drivers check, and PyMongo 4.18+ wants more, hence the
        // pymongo<4.18 pin (see infra/README.md).
        backend.version(ServerVersion.MONGO_5_0);
        MongoServer server = new MongoServer(backend);
        server.bind(positional.get(0), Integer.parseInt(positional.get(1)));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            backend.commit();
        }));
        System.out.println("mongo-java-server listening on " + positional.get(0) + ":" + positional.get(1)
            + " (commit=" + commit + (fsync ? ", fsync" : "") + ")");
        Thread.currentThread().join();
    }
}
