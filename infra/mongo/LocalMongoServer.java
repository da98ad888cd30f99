import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

/**
 * Starts mongo-java-server on a chosen host and port with its H2 (MVStore)
 * file backend, so data survives a restart. The library's own main classes
 * bind only localhost:27017, hence this launcher. Run in Java's source-file
 * mode: java -cp 'jars/*' LocalMongoServer.java HOST PORT DATA_FILE
 */
public final class LocalMongoServer {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: LocalMongoServer HOST PORT DATA_FILE");
            System.exit(2);
        }
        H2Backend backend = new H2Backend(args[2]);
        // Newest server version the library emulates. buildInfo then says 5.0.0,
        // but hello/isMaster still reports maxWireVersion 8 (MongoDB 4.2's): that
        // is what drivers check, and PyMongo 4.18+ wants more, hence the
        // pymongo<4.18 pin (see infra/README.md).
        backend.version(ServerVersion.MONGO_5_0);
        MongoServer server = new MongoServer(backend);
        server.bind(args[0], Integer.parseInt(args[1]));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            backend.commit();
        }));
        System.out.println("mongo-java-server listening on " + args[0] + ":" + args[1]);
        Thread.currentThread().join();
    }
}
