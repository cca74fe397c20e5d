/* A connection to SQLite that keeps the GIL while it runs statements inside a write transaction.

   Python's sqlite3 module lets go of the GIL around every step of every statement. For the joins'
   writer (bot/hotsql.py, Batches) that was the cost: between its statements the writer had to win the
   GIL back from the request threads, holding the database's write lock all the while, so a batch that
   computed for a fraction of a millisecond held the lock several times as long and the other web
   process waited for it. Here, once BEGIN IMMEDIATE has taken the write lock, statements run to the end
   with the GIL held: they cannot wait for a lock. BEGIN, COMMIT, ROLLBACK and anything outside such a
   transaction may wait (for the lock, for the disk) and run with the GIL released, as in sqlite3.

   bot/sqlnative.py loads this only when it links the same SQLite library as Python's sqlite3 module
   (one library in the process, so its file locks among connections stay right).

   Under gevent (the web processes' worker class) every request of a process runs in one thread, so a
   wait for a lock in SQLite's own busy handler, which sleeps, would stop them all. After
   set_sleep(gevent.sleep), this connection, and each sqlite3 connection passed to cooperate(), waits
   for SQLite's lock in a busy handler that calls that sleep instead: the other requests run meanwhile.
   The writers' lock file is then tried without blocking and waited for the same way. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <sqlite3.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static PyObject *Error, *OperationalError, *IntegrityError, *ProgrammingError;

enum { PLAIN = 0, BEGIN_LOCKED = 1, BEGIN_OTHER = 2, END = 3 };

typedef struct {
    sqlite3_stmt *stmt;
    PyObject *names; /* tuple: each parameter's name without its ':' (None where positional) */
    int kind;        /* PLAIN, or which transaction control statement */
} Statement;

typedef struct {
    PyObject_HEAD
    sqlite3 *db;
    PyObject *cache; /* dict: SQL text -> capsule of Statement */
    int locked;      /* in a transaction begun IMMEDIATE or EXCLUSIVE: the write lock is held */
    int timeout_ms;  /* how long a statement that may wait waits for a lock */
    int busy_set;    /* the busy timeout SQLite has now; negative: the cooperative handler with that timeout */
    int lock_fd;     /* a file the writers of all processes lock around their write transactions, or -1 */
    int lock_held;
} Conn;

static int kind_of(const char *sql) {
    while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '\r') sql++;
    if (strncasecmp(sql, "BEGIN", 5) == 0) {
        const char *rest = sql + 5;
        while (*rest == ' ') rest++;
        if (strncasecmp(rest, "IMMEDIATE", 9) == 0 || strncasecmp(rest, "EXCLUSIVE", 9) == 0) return BEGIN_LOCKED;
        return BEGIN_OTHER;
    }
    if (strncasecmp(sql, "COMMIT", 6) == 0 || strncasecmp(sql, "END", 3) == 0 ||
        strncasecmp(sql, "ROLLBACK", 8) == 0)
        return END;
    return PLAIN;
}

static void statement_free(PyObject *capsule) {
    Statement *s = PyCapsule_GetPointer(capsule, "minhu.statement");
    if (s == NULL) return;
    sqlite3_finalize(s->stmt);
    Py_XDECREF(s->names);
    PyMem_Free(s);
}

static PyObject *raise_sqlite(Conn *self, int rc) {
    int primary = rc & 0xff;
    PyObject *type = (primary == SQLITE_CONSTRAINT) ? IntegrityError
                     : (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_IOERR ||
                        primary == SQLITE_FULL || primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY ||
                        primary == SQLITE_PROTOCOL || primary == SQLITE_NOMEM || primary == SQLITE_INTERRUPT ||
                        primary == SQLITE_ERROR)
                         ? OperationalError
                         : Error;
    const char *message = self->db ? sqlite3_errmsg(self->db) : sqlite3_errstr(rc);
    PyObject *exc = PyObject_CallFunction(type, "s", message);
    if (exc != NULL) {
        PyObject *code = PyLong_FromLong(rc);
        PyObject *name = PyUnicode_FromString(sqlite3_errstr(rc));
        if (code) PyObject_SetAttrString(exc, "sqlite_errorcode", code);
        if (name) PyObject_SetAttrString(exc, "sqlite_errorname", name);
        Py_XDECREF(code);
        Py_XDECREF(name);
        PyErr_SetObject(type, exc);
        Py_DECREF(exc);
    }
    return NULL;
}

static Statement *prepare(Conn *self, PyObject *sql) {
    PyObject *capsule = PyDict_GetItemWithError(self->cache, sql);
    if (capsule != NULL) return PyCapsule_GetPointer(capsule, "minhu.statement");
    if (PyErr_Occurred()) return NULL;
    Py_ssize_t size;
    const char *text = PyUnicode_AsUTF8AndSize(sql, &size);
    if (text == NULL) return NULL;
    sqlite3_stmt *stmt = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v2(self->db, text, (int)size + 1, &stmt, &tail);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return (Statement *)raise_sqlite(self, rc);
    }
    if (stmt == NULL) {
        PyErr_SetString(ProgrammingError, "no statement in the SQL text");
        return NULL;
    }
    while (tail && (*tail == ' ' || *tail == ';' || *tail == '\n' || *tail == '\t' || *tail == '\r')) tail++;
    if (tail && *tail) {
        sqlite3_finalize(stmt);
        PyErr_SetString(ProgrammingError, "one statement at a time");
        return NULL;
    }
    int count = sqlite3_bind_parameter_count(stmt);
    PyObject *names = PyTuple_New(count);
    if (names == NULL) {
        sqlite3_finalize(stmt);
        return NULL;
    }
    for (int i = 0; i < count; i++) {
        const char *name = sqlite3_bind_parameter_name(stmt, i + 1);
        PyObject *item = (name && (name[0] == ':' || name[0] == '@' || name[0] == '$'))
                             ? PyUnicode_FromString(name + 1) : Py_NewRef(Py_None);
        if (item == NULL) {
            Py_DECREF(names);
            sqlite3_finalize(stmt);
            return NULL;
        }
        PyTuple_SET_ITEM(names, i, item);
    }
    Statement *s = PyMem_Malloc(sizeof(Statement));
    if (s == NULL) {
        Py_DECREF(names);
        sqlite3_finalize(stmt);
        PyErr_NoMemory();
        return NULL;
    }
    s->stmt = stmt;
    s->names = names;
    s->kind = kind_of(text);
    capsule = PyCapsule_New(s, "minhu.statement", statement_free);
    if (capsule == NULL) {
        sqlite3_finalize(stmt);
        Py_DECREF(names);
        PyMem_Free(s);
        return NULL;
    }
    int failed = PyDict_SetItem(self->cache, sql, capsule);
    Py_DECREF(capsule); /* the cache holds it */
    return failed ? NULL : s;
}

static int bind_one(Conn *self, sqlite3_stmt *stmt, int i, PyObject *value, PyObject *name) {
    int rc;
    if (value == Py_None) {
        rc = sqlite3_bind_null(stmt, i);
    } else if (PyLong_Check(value)) {
        long long v = PyLong_AsLongLong(value);
        if (v == -1 && PyErr_Occurred()) return -1;
        rc = sqlite3_bind_int64(stmt, i, v);
    } else if (PyFloat_Check(value)) {
        rc = sqlite3_bind_double(stmt, i, PyFloat_AS_DOUBLE(value));
    } else if (PyUnicode_Check(value)) {
        Py_ssize_t size;
        const char *text = PyUnicode_AsUTF8AndSize(value, &size);
        if (text == NULL) return -1;
        rc = sqlite3_bind_text64(stmt, i, text, (sqlite3_uint64)size, SQLITE_TRANSIENT, SQLITE_UTF8);
    } else if (PyBytes_Check(value)) {
        rc = sqlite3_bind_blob64(stmt, i, PyBytes_AS_STRING(value), (sqlite3_uint64)PyBytes_GET_SIZE(value),
                                 SQLITE_TRANSIENT);
    } else {
        PyErr_Format(ProgrammingError, "parameter %R: type %s is not supported", name ? name : Py_None,
                     Py_TYPE(value)->tp_name);
        return -1;
    }
    if (rc != SQLITE_OK) {
        raise_sqlite(self, rc);
        return -1;
    }
    return 0;
}

static int bind_all(Conn *self, Statement *s, PyObject *params) {
    Py_ssize_t count = PyTuple_GET_SIZE(s->names);
    if (count == 0) return 0;
    if (PyDict_Check(params)) {
        for (Py_ssize_t i = 0; i < count; i++) {
            PyObject *name = PyTuple_GET_ITEM(s->names, i);
            if (name == Py_None) {
                PyErr_SetString(ProgrammingError, "positional parameters need a sequence");
                return -1;
            }
            PyObject *value = PyDict_GetItemWithError(params, name);
            if (value == NULL) {
                if (!PyErr_Occurred())
                    PyErr_Format(ProgrammingError, "no value for the parameter :%U", name);
                return -1;
            }
            if (bind_one(self, s->stmt, (int)i + 1, value, name) < 0) return -1;
        }
        return 0;
    }
    if (PyTuple_Check(params) || PyList_Check(params)) {
        if (PySequence_Fast_GET_SIZE(params) != count) {
            PyErr_Format(ProgrammingError, "%zd parameters for %zd values", count, PySequence_Fast_GET_SIZE(params));
            return -1;
        }
        for (Py_ssize_t i = 0; i < count; i++)
            if (bind_one(self, s->stmt, (int)i + 1, PySequence_Fast_GET_ITEM(params, i), NULL) < 0) return -1;
        return 0;
    }
    PyErr_SetString(ProgrammingError, "parameters must be a dict, a tuple or a list");
    return -1;
}

static PyObject *column(sqlite3_stmt *stmt, int i) {
    switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
        return PyLong_FromLongLong(sqlite3_column_int64(stmt, i));
    case SQLITE_FLOAT:
        return PyFloat_FromDouble(sqlite3_column_double(stmt, i));
    case SQLITE_TEXT: {
        const char *text = (const char *)sqlite3_column_text(stmt, i);
        return PyUnicode_FromStringAndSize(text, sqlite3_column_bytes(stmt, i));
    }
    case SQLITE_BLOB: {
        const void *blob = sqlite3_column_blob(stmt, i);
        return PyBytes_FromStringAndSize(blob, sqlite3_column_bytes(stmt, i));
    }
    default:
        return Py_NewRef(Py_None);
    }
}

/* --- Waiting cooperatively (under gevent) ------------------------------------------------------------ */

static PyObject *coop_sleep = NULL; /* gevent.sleep, or NULL: SQLite's own busy wait */

/* The wait before try `count` + 1 in ms, as SQLite's busy timeout spaces its tries; 0: give up. */
static int next_delay(int count, int timeout_ms) {
    static const int delays[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
    static const int totals[] = {0, 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228};
    int delay = count < 12 ? delays[count] : 100;
    int prior = count < 12 ? totals[count] : totals[11] + 100 * (count - 11);
    if (prior + delay > timeout_ms) delay = timeout_ms - prior;
    return delay > 0 ? delay : 0;
}

/* Sleep `seconds` through coop_sleep, letting the thread's other greenlets run; 0 if that failed. Called from
   inside SQLite (a busy handler), where the GIL has been let go by whoever called SQLite, or is held. Each
   call takes the GIL back and lets it go itself, so the greenlets' calls may interleave in any order. */
static int sleep_cooperatively(double seconds) {
    int held = PyGILState_Check();
    PyThreadState *ts = NULL;
    if (!held) {
        ts = PyGILState_GetThisThreadState();
        if (ts == NULL) return 0;
        PyEval_RestoreThread(ts);
    }
    int ok = 0;
    PyObject *sleep = coop_sleep;
    if (sleep != NULL) {
        Py_INCREF(sleep);
        PyObject *result = PyObject_CallFunction(sleep, "d", seconds);
        Py_DECREF(sleep);
        ok = result != NULL;
        Py_XDECREF(result);
        if (!ok) PyErr_Clear(); /* SQLite then gives up: "database is locked" is raised where it was called */
    }
    if (!held) PyEval_SaveThread();
    return ok;
}

/* The busy handler of a sqlite3 module connection; its timeout in ms is the context. */
static int pysqlite_busy(void *context, int count) {
    int delay = next_delay(count, (int)(intptr_t)context);
    return delay > 0 && sleep_cooperatively(delay / 1000.0);
}

static void unlock_file(Conn *self) {
    if (self->lock_held) {
        flock(self->lock_fd, LOCK_UN);
        self->lock_held = 0;
    }
}

/* Outside a transaction (none begun, or SQLite rolled it back itself), no write lock is held. */
static void note_transaction(Conn *self) {
    if (sqlite3_get_autocommit(self->db)) {
        self->locked = 0;
        unlock_file(self);
    }
}

/* This connection's busy handler under gevent. It lets go of the writers' lock file while it sleeps, so a
   writer waiting for a lock that someone else holds (a long transaction elsewhere) never keeps the other
   processes' writers waiting for the file. */
static int native_busy(void *context, int count) {
    Conn *self = context;
    int delay = next_delay(count, self->timeout_ms);
    if (delay <= 0) return 0;
    int had_file = self->lock_held;
    unlock_file(self);
    if (!sleep_cooperatively(delay / 1000.0)) return 0;
    if (had_file && flock(self->lock_fd, LOCK_EX | LOCK_NB) == 0) self->lock_held = 1;
    return 1;
}

/* Let statements wait up to `want` ms for a lock (0: not at all), cooperatively under gevent. */
static void set_wait(Conn *self, int want) {
    int mode = want > 0 && coop_sleep != NULL ? -want : want;
    if (mode == self->busy_set) return;
    if (mode < 0) sqlite3_busy_handler(self->db, native_busy, self);
    else sqlite3_busy_timeout(self->db, want);
    self->busy_set = mode;
}

static double monotonic_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec + now.tv_nsec / 1e9;
}

/* Take the writers' lock file, with the GIL let go. Under gevent, never blocking: tried every 0.2 ms while the
   other greenlets run, for at most the connection's timeout by the clock (a sleep may take longer than asked),
   then SQLite's own lock decides alone. */
static void lock_file(Conn *self) {
    int got;
    if (coop_sleep == NULL) {
        while ((got = flock(self->lock_fd, LOCK_EX)) != 0 && errno == EINTR) {
        }
        self->lock_held = (got == 0);
        return;
    }
    double deadline = monotonic_seconds() + self->timeout_ms / 1000.0;
    while (flock(self->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) return;
        if (monotonic_seconds() >= deadline || !sleep_cooperatively(0.0002)) return;
    }
    self->lock_held = 1;
}

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK with the GIL let go. With a lock file, BEGIN IMMEDIATE first waits for
   it: the kernel wakes this writer the moment another process's writer is done, where SQLite's own busy
   wait sleeps 1, 2, 5, 10 ms between tries. It is let go again before the GIL is taken back, so another
   process's writer does not wait while this thread waits for the GIL. */
static int control_step(Conn *self, sqlite3_stmt *stmt, int kind) {
    set_wait(self, self->timeout_ms);
    int rc;
    Py_BEGIN_ALLOW_THREADS
    if (kind == BEGIN_LOCKED && self->lock_fd >= 0 && !self->lock_held) lock_file(self);
    rc = sqlite3_step(stmt);
    if (sqlite3_get_autocommit(self->db)) unlock_file(self); /* no transaction (any more) */
    Py_END_ALLOW_THREADS
    return rc;
}

static int step(Conn *self, sqlite3_stmt *stmt, int may_wait) {
    set_wait(self, may_wait ? self->timeout_ms : 0); /* with the GIL held, never sleep in SQLite's busy wait */
    int rc;
    if (may_wait) {
        Py_BEGIN_ALLOW_THREADS
        rc = sqlite3_step(stmt);
        Py_END_ALLOW_THREADS
    } else {
        rc = sqlite3_step(stmt);
    }
    return rc;
}

/* execute(sql, params) -> (rows, rowcount, lastrowid) */
static PyObject *Conn_execute(Conn *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "execute(sql: str, params)");
        return NULL;
    }
    if (self->db == NULL) {
        PyErr_SetString(ProgrammingError, "the connection is closed");
        return NULL;
    }
    note_transaction(self);
    Statement *s = prepare(self, args[0]);
    if (s == NULL) return NULL;
    sqlite3_stmt *stmt = s->stmt;
    PyObject *rows = NULL;
    if (bind_all(self, s, args[1]) < 0) goto fail;
    int may_wait = !self->locked || s->kind != PLAIN;
    rows = PyList_New(0);
    if (rows == NULL) goto fail;
    int columns = sqlite3_column_count(stmt), rc;
    while ((rc = (s->kind == PLAIN || s->kind == BEGIN_OTHER) ? step(self, stmt, may_wait)
                                                                : control_step(self, stmt, s->kind)) == SQLITE_ROW) {
        PyObject *row = PyTuple_New(columns);
        if (row == NULL) goto fail;
        for (int i = 0; i < columns; i++) {
            PyObject *value = column(stmt, i);
            if (value == NULL) {
                Py_DECREF(row);
                goto fail;
            }
            PyTuple_SET_ITEM(row, i, value);
        }
        int failed = PyList_Append(rows, row);
        Py_DECREF(row);
        if (failed) goto fail;
    }
    if (rc != SQLITE_DONE) {
        rc = sqlite3_reset(stmt); /* the detailed error code */
        raise_sqlite(self, rc);
        sqlite3_clear_bindings(stmt);
        note_transaction(self);
        Py_DECREF(rows);
        return NULL;
    }
    long long changes = sqlite3_stmt_readonly(stmt) ? -1 : sqlite3_changes64(self->db);
    long long lastrowid = sqlite3_last_insert_rowid(self->db);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (s->kind == BEGIN_LOCKED) self->locked = 1;
    note_transaction(self); /* after COMMIT or ROLLBACK */
    return Py_BuildValue("(NLL)", rows, changes, lastrowid);
fail:
    Py_XDECREF(rows);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return NULL;
}

static PyObject *Conn_in_transaction(Conn *self, void *closure) {
    return PyBool_FromLong(self->db != NULL && !sqlite3_get_autocommit(self->db));
}

static void close_db(Conn *self) {
    if (self->cache) PyDict_Clear(self->cache); /* finalizes the statements */
    if (self->db) {
        sqlite3 *db = self->db;
        self->db = NULL;
        Py_BEGIN_ALLOW_THREADS
        sqlite3_close_v2(db);
        Py_END_ALLOW_THREADS
    }
    self->locked = 0;
    unlock_file(self);
    if (self->lock_fd >= 0) close(self->lock_fd);
    self->lock_fd = -1;
}

static PyObject *Conn_close(Conn *self, PyObject *unused) {
    close_db(self);
    Py_RETURN_NONE;
}

static PyObject *Conn_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    Conn *self = (Conn *)type->tp_alloc(type, 0);
    if (self != NULL) self->lock_fd = -1;
    return (PyObject *)self;
}

static int Conn_init(Conn *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"path", "timeout", "lock_path", NULL};
    const char *path, *lock_path = NULL;
    double timeout = 5.0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s|dz", keywords, &path, &timeout, &lock_path)) return -1;
    close_db(self);
    if (lock_path != NULL) {
        self->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (self->lock_fd < 0) {
            PyErr_SetFromErrnoWithFilename(OperationalError, lock_path);
            return -1;
        }
    }
    if (self->cache == NULL && (self->cache = PyDict_New()) == NULL) return -1;
    sqlite3 *db = NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    Py_END_ALLOW_THREADS
    if (rc != SQLITE_OK) {
        PyErr_SetString(OperationalError, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        return -1;
    }
    self->db = db;
    self->timeout_ms = (int)(timeout * 1000);
    self->busy_set = self->timeout_ms;
    sqlite3_busy_timeout(db, self->timeout_ms);
    sqlite3_extended_result_codes(db, 1);
    return 0;
}

static void Conn_dealloc(Conn *self) {
    close_db(self);
    Py_XDECREF(self->cache);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Conn_methods[] = {
    {"execute", (PyCFunction)(void (*)(void))Conn_execute, METH_FASTCALL,
     "execute(sql, params) -> (rows, rowcount, lastrowid): one statement, run to its end"},
    {"close", (PyCFunction)Conn_close, METH_NOARGS, "close the connection"},
    {NULL}};

static PyGetSetDef Conn_getset[] = {
    {"in_transaction", (getter)Conn_in_transaction, NULL, "a transaction is open", NULL},
    {NULL}};

static PyTypeObject ConnType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "bot._sqlnative.Connection",
    .tp_basicsize = sizeof(Conn),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Connection(path, timeout=5.0, lock_path=None): SQLite, holding the GIL inside write transactions",
    .tp_new = Conn_new,
    .tp_init = (initproc)Conn_init,
    .tp_dealloc = (destructor)Conn_dealloc,
    .tp_methods = Conn_methods,
    .tp_getset = Conn_getset,
};

/* library() -> (path of the SQLite library this module calls, its version) */
static PyObject *library(PyObject *module, PyObject *unused) {
    Dl_info info;
    const char *path = dladdr((void *)sqlite3_libversion, &info) && info.dli_fname ? info.dli_fname : "";
    return Py_BuildValue("(ss)", path, sqlite3_libversion());
}

/* set_sleep(sleep or None): wait for SQLite's locks through `sleep(seconds)` (gevent.sleep), or not. */
static PyObject *set_sleep(PyObject *module, PyObject *sleep) {
    if (sleep != Py_None && !PyCallable_Check(sleep)) {
        PyErr_SetString(PyExc_TypeError, "set_sleep(callable or None)");
        return NULL;
    }
    PyObject *old = coop_sleep;
    coop_sleep = sleep == Py_None ? NULL : Py_NewRef(sleep);
    Py_XDECREF(old);
    Py_RETURN_NONE;
}

/* cooperate(connection, timeout_ms) -> the file name of its main database. Gives a connection of Python's
   sqlite3 module the cooperative busy handler. CPython 3.11 to 3.13 keep the connection's sqlite3 pointer
   right after the object's header; bot/sqlnative.py calls this only there, and checks the file name. */
static PyObject *cooperate(PyObject *module, PyObject *args) {
    PyObject *conn;
    int timeout_ms;
    if (!PyArg_ParseTuple(args, "Oi", &conn, &timeout_ms)) return NULL;
    PyTypeObject *type = Py_TYPE(conn);
    while (type != NULL && strcmp(type->tp_name, "sqlite3.Connection") != 0) type = type->tp_base;
    if (type == NULL) {
        PyErr_SetString(PyExc_TypeError, "cooperate() takes a sqlite3.Connection");
        return NULL;
    }
    sqlite3 *db = *(sqlite3 **)((char *)conn + sizeof(PyObject));
    if (db == NULL) {
        PyErr_SetString(ProgrammingError, "the connection is closed");
        return NULL;
    }
    const char *name = sqlite3_db_filename(db, "main");
    if (timeout_ms > 0) sqlite3_busy_handler(db, pysqlite_busy, (void *)(intptr_t)timeout_ms);
    return PyUnicode_FromString(name ? name : "");
}

static PyMethodDef module_methods[] = {
    {"library", library, METH_NOARGS, "the SQLite library this module calls: (path, version)"},
    {"set_sleep", set_sleep, METH_O, "set_sleep(sleep or None): wait for SQLite's locks through sleep(seconds)"},
    {"cooperate", cooperate, METH_VARARGS, "cooperate(sqlite3_connection, timeout_ms): wait through that sleep"},
    {NULL}};

static struct PyModuleDef module_def = {PyModuleDef_HEAD_INIT, "_sqlnative", NULL, -1, module_methods};

PyMODINIT_FUNC PyInit__sqlnative(void) {
    PyObject *sqlite3_module = PyImport_ImportModule("sqlite3");
    if (sqlite3_module == NULL) return NULL;
    Error = PyObject_GetAttrString(sqlite3_module, "Error");
    OperationalError = PyObject_GetAttrString(sqlite3_module, "OperationalError");
    IntegrityError = PyObject_GetAttrString(sqlite3_module, "IntegrityError");
    ProgrammingError = PyObject_GetAttrString(sqlite3_module, "ProgrammingError");
    Py_DECREF(sqlite3_module);
    if (!Error || !OperationalError || !IntegrityError || !ProgrammingError) return NULL;
    if (PyType_Ready(&ConnType) < 0) return NULL;
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL) return NULL;
    if (PyModule_AddObjectRef(module, "Connection", (PyObject *)&ConnType) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
