/* The message reader's two inner loops in C: jieba's cut of a block of Chinese text (nlp/segment.py,
 * Segmenter._cut_block) and a linear model's scoring of a message (nlp/model.py, LinearModel.predict).
 *
 * Both do what the Python code beside them does, step for step and with the same floating-point
 * operations in the same order, so they give the same words and the same probabilities
 * (tests/test_nlp.py holds them to it). What they save is the Python interpreter's work and the
 * memory it reads: the dictionary and the models' weights are kept here in compact tables (one
 * open-addressing hash of code points each) instead of Python dicts of str and tuples of floats,
 * which every message otherwise read again from main memory rather than from the processor's caches.
 *
 * The package works without this module (nlp/segment.py and nlp/model.py fall back to Python when
 * it was not built).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define FNV_OFFSET 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

static inline uint64_t
step_hash(uint64_t h, Py_UCS4 c)
{
    return (h ^ (uint64_t)c) * FNV_PRIME;
}

/* ---- a hash of code-point strings ---------------------------------------------------------------- */

typedef struct {
    uint64_t hash;   /* 0: empty slot (a real hash of 0 is stored as 1) */
    uint32_t off;    /* start of the key in the pool */
    uint32_t len;    /* code points */
    uint32_t kind;   /* what the caller keys by besides the text (the model: gram or word) */
    int32_t value;   /* the caller's index, or -1 */
    double score;
} Slot;

typedef struct {
    Slot *slots;
    size_t mask;
    Py_UCS4 *pool;
    size_t pool_len, pool_cap;
} Table;

static inline uint64_t
fix_hash(uint64_t h)
{
    return h ? h : 1;
}

static int
table_init(Table *t, Py_ssize_t count)
{
    size_t size = 16;
    while (size < (size_t)count * 2 + 1)
        size <<= 1;
    t->slots = PyMem_Calloc(size, sizeof(Slot));
    t->mask = size - 1;
    t->pool_cap = 1024;
    t->pool_len = 0;
    t->pool = PyMem_Malloc(t->pool_cap * sizeof(Py_UCS4));
    if (t->slots == NULL || t->pool == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void
table_free(Table *t)
{
    PyMem_Free(t->slots);
    PyMem_Free(t->pool);
    t->slots = NULL;
    t->pool = NULL;
}

/* The slot of (kind, text[start:start+len]) given its hash, or NULL. */
static inline Slot *
table_find(const Table *t, uint64_t hash, uint32_t kind, int ukind, const void *data, Py_ssize_t start,
           Py_ssize_t len)
{
    hash = fix_hash(hash);
    size_t i = (size_t)hash & t->mask;
    for (;;) {
        Slot *s = &t->slots[i];
        if (s->hash == 0)
            return NULL;
        if (s->hash == hash && s->len == (uint32_t)len && s->kind == kind) {
            const Py_UCS4 *key = t->pool + s->off;
            Py_ssize_t j = 0;
            while (j < len && key[j] == PyUnicode_READ(ukind, data, start + j))
                j++;
            if (j == len)
                return s;
        }
        i = (i + 1) & t->mask;
    }
}

static uint64_t
hash_of(int ukind, const void *data, Py_ssize_t start, Py_ssize_t len)
{
    uint64_t h = FNV_OFFSET;
    for (Py_ssize_t j = 0; j < len; j++)
        h = step_hash(h, PyUnicode_READ(ukind, data, start + j));
    return h;
}

/* Add (kind, text[start:]) unless there; return its slot (NULL on error). */
static Slot *
table_add(Table *t, uint32_t kind, PyObject *text, Py_ssize_t start)
{
    int ukind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text) - start;
    uint64_t hash = hash_of(ukind, data, start, len);
    Slot *found = table_find(t, hash, kind, ukind, data, start, len);
    if (found != NULL)
        return found;
    if (t->pool_len + (size_t)len > t->pool_cap) {
        while (t->pool_len + (size_t)len > t->pool_cap)
            t->pool_cap *= 2;
        Py_UCS4 *pool = PyMem_Realloc(t->pool, t->pool_cap * sizeof(Py_UCS4));
        if (pool == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
        t->pool = pool;
    }
    size_t i = (size_t)fix_hash(hash) & t->mask;
    while (t->slots[i].hash != 0)
        i = (i + 1) & t->mask;
    Slot *s = &t->slots[i];
    s->hash = fix_hash(hash);
    s->off = (uint32_t)t->pool_len;
    s->len = (uint32_t)len;
    s->kind = kind;
    s->value = -1;
    s->score = 0.0;
    for (Py_ssize_t j = 0; j < len; j++)
        t->pool[t->pool_len++] = PyUnicode_READ(ukind, data, start + j);
    return s;
}

static int
as_double(PyObject *obj, double *out)
{
    *out = PyFloat_AsDouble(obj);
    return (*out == -1.0 && PyErr_Occurred()) ? -1 : 0;
}

/* ---- Cutter: jieba's route through the dictionary, and its HMM for unknown words ------------------ */

/* The HMM's states in jieba's letters, numbered in alphabetical order so that comparing numbers
 * compares letters, as finalseg's max() over (probability, letter) tuples does on a tie. */
enum { B, E, M, S };
static const char STATE_LETTERS[4] = {'B', 'E', 'M', 'S'};
static const int PREV[4][2] = {{E, S}, {B, M}, {M, B}, {S, E}}; /* finalseg's PrevStatus, in its order */

typedef struct {
    double p[4];
} Emit;

typedef struct {
    PyObject_HEAD
    Table words;      /* kind 1: a word, score its log-probability; kind 0: only a prefix of longer words */
    Table emit_index; /* a character's slot: value indexes `emits` */
    Emit *emits;
    double unknown, min_float;
    double start[4];
    double trans[4][2]; /* trans[y][j]: from PREV[y][j] into y */
    PyObject *force_split;
} Cutter;

static void
Cutter_dealloc(Cutter *self)
{
    table_free(&self->words);
    table_free(&self->emit_index);
    PyMem_Free(self->emits);
    Py_XDECREF(self->force_split);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
state_of(PyObject *key)
{
    if (!PyUnicode_Check(key) || PyUnicode_GET_LENGTH(key) != 1)
        return -1;
    switch (PyUnicode_READ_CHAR(key, 0)) {
    case 'B': return B;
    case 'E': return E;
    case 'M': return M;
    case 'S': return S;
    }
    return -1;
}

/* Cutter(step, unknown, start, trans, emit, min_float, force_split): the tables of nlp.segment.Segmenter. */
static int
Cutter_init(Cutter *self, PyObject *args, PyObject *kwds)
{
    PyObject *step, *start, *trans, *emit, *force_split, *key, *value;
    double unknown, min_float;
    if (!PyArg_ParseTuple(args, "O!dO!O!O!dO!", &PyDict_Type, &step, &unknown, &PyDict_Type, &start, &PyDict_Type,
                          &trans, &PyDict_Type, &emit, &min_float, &PySet_Type, &force_split))
        return -1;
    self->unknown = unknown;
    self->min_float = min_float;
    Py_INCREF(force_split);
    self->force_split = force_split;
    if (table_init(&self->words, PyDict_GET_SIZE(step)) < 0)
        return -1;
    Py_ssize_t pos = 0;
    while (PyDict_Next(step, &pos, &key, &value)) {
        if (!PyUnicode_Check(key) || PyUnicode_GET_LENGTH(key) == 0) {
            PyErr_SetString(PyExc_TypeError, "step: keys must be non-empty str");
            return -1;
        }
        /* The kind is part of the key in table_find: store every key as kind 0 and mark words by value. */
        Slot *s = table_add(&self->words, 0, key, 0);
        if (s == NULL)
            return -1;
        if (value != Py_None) {
            if (as_double(value, &s->score) < 0)
                return -1;
            s->value = 1;
        }
    }
    for (int y = 0; y < 4; y++) {
        PyObject *letter = PyUnicode_FromOrdinal(STATE_LETTERS[y]);
        if (letter == NULL)
            return -1;
        PyObject *p = PyDict_GetItemWithError(start, letter);
        PyObject *into = PyDict_GetItemWithError(trans, letter);
        Py_DECREF(letter);
        if (p == NULL || into == NULL || !PyDict_Check(into)) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_KeyError, "start and trans need every state");
            return -1;
        }
        if (as_double(p, &self->start[y]) < 0)
            return -1;
        for (int j = 0; j < 2; j++) {
            PyObject *from = PyUnicode_FromOrdinal(STATE_LETTERS[PREV[y][j]]);
            if (from == NULL)
                return -1;
            PyObject *t = PyDict_GetItemWithError(into, from);
            Py_DECREF(from);
            if (t == NULL) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_KeyError, "trans[y] needs both states before y");
                return -1;
            }
            if (as_double(t, &self->trans[y][j]) < 0)
                return -1;
        }
    }
    /* Every character any state emits, with min_float where a state does not emit it (finalseg's .get). */
    PyObject *chars = PySet_New(NULL);
    if (chars == NULL)
        return -1;
    pos = 0;
    while (PyDict_Next(emit, &pos, &key, &value)) {
        if (state_of(key) < 0 || !PyDict_Check(value)) {
            PyErr_SetString(PyExc_TypeError, "emit: a dict of str per state");
            Py_DECREF(chars);
            return -1;
        }
        Py_ssize_t inner = 0;
        PyObject *ch, *p;
        while (PyDict_Next(value, &inner, &ch, &p))
            if (PySet_Add(chars, ch) < 0) {
                Py_DECREF(chars);
                return -1;
            }
    }
    Py_ssize_t total = PySet_GET_SIZE(chars);
    Py_DECREF(chars);
    if (table_init(&self->emit_index, total) < 0)
        return -1;
    self->emits = PyMem_Malloc((total + 1) * sizeof(Emit));
    if (self->emits == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    int32_t count = 0;
    pos = 0;
    while (PyDict_Next(emit, &pos, &key, &value)) {
        int y = state_of(key);
        Py_ssize_t inner = 0;
        PyObject *ch, *p;
        while (PyDict_Next(value, &inner, &ch, &p)) {
            if (!PyUnicode_Check(ch) || PyUnicode_GET_LENGTH(ch) != 1) {
                PyErr_SetString(PyExc_TypeError, "emit: keys are single characters");
                return -1;
            }
            Slot *s = table_add(&self->emit_index, 0, ch, 0);
            if (s == NULL)
                return -1;
            if (s->value < 0) {
                s->value = count++;
                for (int k = 0; k < 4; k++)
                    self->emits[s->value].p[k] = min_float;
            }
            if (as_double(p, &self->emits[s->value].p[y]) < 0)
                return -1;
        }
    }
    return 0;
}

typedef struct {
    PyObject *text;
    int kind;
    const void *data;
    PyObject *out;
} Cut;

static inline int
append_range(Cut *c, Py_ssize_t a, Py_ssize_t b)
{
    PyObject *word = PyUnicode_Substring(c->text, a, b);
    if (word == NULL)
        return -1;
    int rc = PyList_Append(c->out, word);
    Py_DECREF(word);
    return rc;
}

static int
append_chars(Cut *c, Py_ssize_t a, Py_ssize_t b)
{
    for (Py_ssize_t i = a; i < b; i++)
        if (append_range(c, i, i + 1) < 0)
            return -1;
    return 0;
}

static inline int
is_han(Py_UCS4 ch) /* finalseg.re_han: [\u4E00-\u9FD5] */
{
    return ch >= 0x4E00 && ch <= 0x9FD5;
}

static inline int
is_ascii_alnum(Py_UCS4 ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* A word the HMM marked: as finalseg.cut, split into characters when it is one of Force_Split_Words. */
static int
append_hmm_word(Cutter *self, Cut *c, Py_ssize_t a, Py_ssize_t b)
{
    if (PySet_GET_SIZE(self->force_split) > 0) {
        PyObject *word = PyUnicode_Substring(c->text, a, b);
        if (word == NULL)
            return -1;
        int inside = PySet_Contains(self->force_split, word);
        Py_DECREF(word);
        if (inside < 0)
            return -1;
        if (inside)
            return append_chars(c, a, b);
    }
    return append_range(c, a, b);
}

/* finalseg's viterbi() over text[a:b] (all Han) and the words its states mark. */
static int
viterbi(Cutter *self, Cut *c, Py_ssize_t a, Py_ssize_t b)
{
    Py_ssize_t n = b - a;
    unsigned char *back = PyMem_Malloc(n * 4 + n);
    if (back == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    unsigned char *states = back + n * 4;
    double v[4], nv[4];
    const double *em;
    Emit missing = {{self->min_float, self->min_float, self->min_float, self->min_float}};
    for (Py_ssize_t t = 0; t < n; t++) {
        Py_UCS4 ch = PyUnicode_READ(c->kind, c->data, a + t);
        Slot *s = table_find(&self->emit_index, step_hash(FNV_OFFSET, ch), 0, c->kind, c->data, a + t, 1);
        em = s != NULL ? self->emits[s->value].p : missing.p;
        if (t == 0) {
            for (int y = 0; y < 4; y++)
                v[y] = self->start[y] + em[y];
            continue;
        }
        for (int y = 0; y < 4; y++) {
            int y0 = PREV[y][0], y1 = PREV[y][1];
            double p0 = v[y0] + self->trans[y][0] + em[y];
            double p1 = v[y1] + self->trans[y][1] + em[y];
            /* max() of (p0, y0), (p1, y1): the higher probability, on a tie the later letter */
            if (p1 > p0 || (p1 == p0 && y1 > y0)) {
                nv[y] = p1;
                back[t * 4 + y] = (unsigned char)y1;
            }
            else {
                nv[y] = p0;
                back[t * 4 + y] = (unsigned char)y0;
            }
        }
        memcpy(v, nv, sizeof v);
    }
    int state = (v[S] > v[E] || v[S] == v[E]) ? S : E; /* max((v[y], y) for y in "ES") */
    states[n - 1] = (unsigned char)state;
    for (Py_ssize_t t = n - 1; t > 0; t--) {
        state = back[t * 4 + state];
        states[t - 1] = (unsigned char)state;
    }
    Py_ssize_t begin = 0, nexti = 0;
    int rc = 0;
    for (Py_ssize_t i = 0; i < n && rc == 0; i++) {
        switch (states[i]) {
        case B:
            begin = i;
            break;
        case E:
            rc = append_hmm_word(self, c, a + begin, a + i + 1);
            nexti = i + 1;
            break;
        case S:
            rc = append_hmm_word(self, c, a + i, a + i + 1);
            nexti = i + 1;
            break;
        }
    }
    if (rc == 0 && nexti < n)
        rc = append_hmm_word(self, c, a + nexti, b);
    PyMem_Free(back);
    return rc;
}

/* finalseg.re_skip's split of a run that is not Han: ([a-zA-Z0-9]+(?:\.\d+)?%?) and what lies between. In a
 * block of jieba's re_han_default every such character is ASCII, so \d is [0-9] here. */
static int
skip_split(Cut *c, Py_ssize_t a, Py_ssize_t b)
{
    Py_ssize_t i = a, between = a;
    while (i < b) {
        if (!is_ascii_alnum(PyUnicode_READ(c->kind, c->data, i))) {
            i++;
            continue;
        }
        if (between < i && append_range(c, between, i) < 0)
            return -1;
        Py_ssize_t j = i;
        while (j < b && is_ascii_alnum(PyUnicode_READ(c->kind, c->data, j)))
            j++;
        if (j + 1 < b && PyUnicode_READ(c->kind, c->data, j) == '.' &&
            Py_UNICODE_ISDECIMAL(PyUnicode_READ(c->kind, c->data, j + 1))) {
            j += 2;
            while (j < b && Py_UNICODE_ISDECIMAL(PyUnicode_READ(c->kind, c->data, j)))
                j++;
        }
        if (j < b && PyUnicode_READ(c->kind, c->data, j) == '%')
            j++;
        if (append_range(c, i, j) < 0)
            return -1;
        i = between = j;
    }
    if (between < b && append_range(c, between, b) < 0)
        return -1;
    return 0;
}

/* finalseg.cut over text[a:b]: Han runs through the HMM, the rest split by re_skip. */
static int
hmm(Cutter *self, Cut *c, Py_ssize_t a, Py_ssize_t b)
{
    Py_ssize_t i = a;
    while (i < b) {
        int han = is_han(PyUnicode_READ(c->kind, c->data, i));
        Py_ssize_t j = i + 1;
        while (j < b && is_han(PyUnicode_READ(c->kind, c->data, j)) == han)
            j++;
        if ((han ? viterbi(self, c, i, j) : skip_split(c, i, j)) < 0)
            return -1;
        i = j;
    }
    return 0;
}

static inline Slot *
word_at(Cutter *self, Cut *c, Py_ssize_t a, Py_ssize_t b)
{
    return table_find(&self->words, hash_of(c->kind, c->data, a, b - a), 0, c->kind, c->data, a, b - a);
}

/* Segmenter._flush: a run of single characters the route left. */
static int
flush(Cutter *self, Cut *c, Py_ssize_t a, Py_ssize_t b)
{
    if (b - a == 1)
        return append_range(c, a, b);
    Slot *s = word_at(self, c, a, b);
    if (s == NULL || s->value < 0) /* no word (absent, or a prefix only): jieba's `not FREQ.get(buf)` */
        return hmm(self, c, a, b);
    return append_chars(c, a, b);
}

/* cut_block(block, out): Segmenter._cut_block, appending the words of one re_han_default block to `out`. */
static PyObject *
Cutter_cut_block(Cutter *self, PyObject *args)
{
    PyObject *text, *out;
    if (!PyArg_ParseTuple(args, "UO!", &text, &PyList_Type, &out))
        return NULL;
    Cut c = {text, PyUnicode_KIND(text), PyUnicode_DATA(text), out};
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    double *best_score = PyMem_Malloc((n + 1) * sizeof(double));
    Py_ssize_t *best_end = PyMem_Malloc((n + 1) * sizeof(Py_ssize_t));
    if (best_score == NULL || best_end == NULL) {
        PyMem_Free(best_score);
        PyMem_Free(best_end);
        return PyErr_NoMemory();
    }
    best_score[n] = 0.0;
    best_end[n] = 0;
    for (Py_ssize_t k = n - 1; k >= 0; k--) {
        int have = 0;
        double top = 0.0;
        Py_ssize_t end = k;
        uint64_t h = FNV_OFFSET;
        for (Py_ssize_t i = k; i < n; i++) {
            h = step_hash(h, PyUnicode_READ(c.kind, c.data, i));
            Slot *s = table_find(&self->words, h, 0, c.kind, c.data, k, i - k + 1);
            if (s == NULL)
                break;
            if (s->value >= 0) {
                double value = s->score + best_score[i + 1];
                if (!have || value >= top) { /* a tie goes to the longer word */
                    top = value;
                    end = i;
                    have = 1;
                }
            }
        }
        if (!have) { /* no word starts here: the character alone, scored as an unknown word */
            top = self->unknown + best_score[k + 1];
            end = k;
        }
        best_score[k] = top;
        best_end[k] = end;
    }
    int rc = 0;
    Py_ssize_t x = 0, buf = -1;
    while (x < n && rc == 0) {
        Py_ssize_t y = best_end[x] + 1;
        if (y - x == 1) {
            if (buf < 0)
                buf = x;
        }
        else {
            if (buf >= 0) {
                rc = flush(self, &c, buf, x);
                buf = -1;
            }
            if (rc == 0)
                rc = append_range(&c, x, y);
        }
        x = y;
    }
    if (rc == 0 && buf >= 0)
        rc = flush(self, &c, buf, n);
    PyMem_Free(best_score);
    PyMem_Free(best_end);
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef Cutter_methods[] = {
    {"cut_block", (PyCFunction)Cutter_cut_block, METH_VARARGS,
     "cut_block(block, out): append the words of one block of Chinese text to the list `out`."},
    {NULL},
};

static PyTypeObject CutterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "nlp._speedups.Cutter",
    .tp_doc = "jieba's cut (HMM on) over a finished dictionary: Cutter(step, unknown, start, trans, emit, "
              "min_float, force_split).",
    .tp_basicsize = sizeof(Cutter),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Cutter_init,
    .tp_dealloc = (destructor)Cutter_dealloc,
    .tp_methods = Cutter_methods,
};

/* ---- Scorer: a linear model's probabilities for one message ---------------------------------------- */

enum { GRAM = 0, WORD = 1 };

typedef struct {
    PyObject_HEAD
    Table features;   /* value: the feature's row */
    int32_t short_row; /* the "#short" feature's row, or -1 */
    Py_ssize_t n_features, n_classes;
    double *rows;     /* n_features x n_classes: each weight times the feature's idf */
    double *idf;
    double *intercepts;
    PyObject *classes; /* tuple of str */
    int32_t *seen;    /* per feature: its place among this message's features, or -1 */
} Scorer;

static void
Scorer_dealloc(Scorer *self)
{
    table_free(&self->features);
    PyMem_Free(self->rows);
    PyMem_Free(self->idf);
    PyMem_Free(self->intercepts);
    PyMem_Free(self->seen);
    Py_XDECREF(self->classes);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
read_doubles(PyObject *seq, double *out, Py_ssize_t n, const char *what)
{
    PyObject *fast = PySequence_Fast(seq, what);
    if (fast == NULL)
        return -1;
    if (PySequence_Fast_GET_SIZE(fast) != n) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd numbers", what, n);
        Py_DECREF(fast);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (as_double(PySequence_Fast_GET_ITEM(fast, i), &out[i]) < 0) {
            Py_DECREF(fast);
            return -1;
        }
    Py_DECREF(fast);
    return 0;
}

/* Scorer(classes, intercepts, features): `features` maps each feature to (idf, its rows' weights times idf). */
static int
Scorer_init(Scorer *self, PyObject *args, PyObject *kwds)
{
    PyObject *classes, *intercepts, *features, *key, *value;
    if (!PyArg_ParseTuple(args, "OOO!", &classes, &intercepts, &PyDict_Type, &features))
        return -1;
    self->classes = PySequence_Tuple(classes);
    if (self->classes == NULL)
        return -1;
    self->n_classes = PyTuple_GET_SIZE(self->classes);
    self->n_features = PyDict_GET_SIZE(features);
    self->short_row = -1;
    Py_ssize_t nc = self->n_classes, nf = self->n_features;
    self->intercepts = PyMem_Malloc((nc + 1) * sizeof(double));
    self->rows = PyMem_Malloc((nf * nc + 1) * sizeof(double));
    self->idf = PyMem_Malloc((nf + 1) * sizeof(double));
    self->seen = PyMem_Malloc((nf + 1) * sizeof(int32_t));
    if (self->intercepts == NULL || self->rows == NULL || self->idf == NULL || self->seen == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (read_doubles(intercepts, self->intercepts, nc, "intercepts") < 0 || table_init(&self->features, nf) < 0)
        return -1;
    Py_ssize_t pos = 0;
    int32_t row = 0;
    while (PyDict_Next(features, &pos, &key, &value)) {
        if (!PyUnicode_Check(key) || !PyTuple_Check(value) || PyTuple_GET_SIZE(value) != 2) {
            PyErr_SetString(PyExc_TypeError, "features: str -> (idf, weights)");
            return -1;
        }
        if (as_double(PyTuple_GET_ITEM(value, 0), &self->idf[row]) < 0 ||
            read_doubles(PyTuple_GET_ITEM(value, 1), self->rows + row * nc, nc, "weights") < 0)
            return -1;
        self->seen[row] = -1;
        Py_ssize_t len = PyUnicode_GET_LENGTH(key);
        if (PyUnicode_CompareWithASCIIString(key, "#short") == 0) {
            self->short_row = row;
        }
        else {
            int word = len >= 2 && PyUnicode_READ_CHAR(key, 0) == 'w' && PyUnicode_READ_CHAR(key, 1) == ':';
            Slot *s = table_add(&self->features, word ? WORD : GRAM, key, word ? 2 : 0);
            if (s == NULL)
                return -1;
            s->value = row;
        }
        row++;
    }
    return 0;
}

/* A word that features() keeps: `w.strip() and not _DROP.fullmatch(w)`, i.e. one character at least that is
 * \w (str.isalnum(), or _) or in \u4e00-\u9fff. */
static int
kept_word(PyObject *w)
{
    int kind = PyUnicode_KIND(w);
    const void *data = PyUnicode_DATA(w);
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(w); i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (ch == '_' || Py_UNICODE_ISALNUM(ch) || (ch >= 0x4e00 && ch <= 0x9fff))
            return 1;
    }
    return 0;
}

static inline void
count_row(Scorer *self, int32_t row, int32_t *order, int32_t *counts, Py_ssize_t *n)
{
    if (row < 0)
        return;
    int32_t at = self->seen[row];
    if (at < 0) {
        self->seen[row] = (int32_t)*n;
        order[*n] = row;
        counts[*n] = 1;
        (*n)++;
    }
    else {
        counts[at]++;
    }
}

/* predict(clean, words): LinearModel.predict(features(text, words)) where `clean` is the text as features() cleans
 * it (nlp.model.clean). */
static PyObject *
Scorer_predict(Scorer *self, PyObject *args)
{
    PyObject *clean, *words;
    if (!PyArg_ParseTuple(args, "UO!", &clean, &PyList_Type, &words))
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(clean), nw = PyList_GET_SIZE(words), nc = self->n_classes;
    int kind = PyUnicode_KIND(clean);
    const void *data = PyUnicode_DATA(clean);
    Py_ssize_t most = 3 * n + nw + 1, found = 0;
    int32_t *order = PyMem_Malloc(most * 2 * sizeof(int32_t) + 1);
    double *scores = PyMem_Malloc(nc * sizeof(double) + 1);
    if (order == NULL || scores == NULL) {
        PyMem_Free(order);
        PyMem_Free(scores);
        return PyErr_NoMemory();
    }
    int32_t *counts = order + most;
    for (Py_ssize_t i = 0; i < n; i++) { /* character 1-, 2- and 3-grams, in features()' order */
        uint64_t h = FNV_OFFSET;
        for (Py_ssize_t len = 1; len <= 3 && i + len <= n; len++) {
            h = step_hash(h, PyUnicode_READ(kind, data, i + len - 1));
            Slot *s = table_find(&self->features, h, GRAM, kind, data, i, len);
            if (s != NULL)
                count_row(self, s->value, order, counts, &found);
        }
    }
    for (Py_ssize_t j = 0; j < nw; j++) {
        PyObject *w = PyList_GET_ITEM(words, j);
        if (!PyUnicode_Check(w)) {
            PyErr_SetString(PyExc_TypeError, "words: a list of str");
            goto fail;
        }
        if (!kept_word(w))
            continue;
        int wkind = PyUnicode_KIND(w);
        const void *wdata = PyUnicode_DATA(w);
        Py_ssize_t wlen = PyUnicode_GET_LENGTH(w);
        Slot *s = table_find(&self->features, hash_of(wkind, wdata, 0, wlen), WORD, wkind, wdata, 0, wlen);
        if (s != NULL)
            count_row(self, s->value, order, counts, &found);
    }
    if (n <= 4)
        count_row(self, self->short_row, order, counts, &found);

    for (Py_ssize_t k = 0; k < nc; k++)
        scores[k] = 0.0;
    double squares = 0.0;
    for (Py_ssize_t f = 0; f < found; f++) {
        int32_t row = order[f];
        const double *weights = self->rows + (Py_ssize_t)row * nc;
        double idf = self->idf[row];
        self->seen[row] = -1;
        if (counts[f] > 1) { /* sublinear tf: 1 + ln(count) */
            double tf = 1.0 + log((double)counts[f]);
            for (Py_ssize_t k = 0; k < nc; k++)
                scores[k] += tf * weights[k];
            idf = tf * idf;
        }
        else {
            for (Py_ssize_t k = 0; k < nc; k++)
                scores[k] += weights[k];
        }
        squares += idf * idf;
    }
    double norm = sqrt(squares);
    if (norm == 0.0)
        norm = 1.0;
    for (Py_ssize_t k = 0; k < nc; k++)
        scores[k] = found ? self->intercepts[k] + scores[k] / norm : self->intercepts[k];
    double top = scores[0];
    for (Py_ssize_t k = 1; k < nc; k++)
        if (scores[k] > top)
            top = scores[k];
    double total = 0.0;
    for (Py_ssize_t k = 0; k < nc; k++) {
        scores[k] = exp(scores[k] - top);
        total += scores[k];
    }
    PyObject *result = PyDict_New();
    if (result == NULL)
        goto fail;
    for (Py_ssize_t k = 0; k < nc; k++) {
        PyObject *p = PyFloat_FromDouble(scores[k] / total);
        if (p == NULL || PyDict_SetItem(result, PyTuple_GET_ITEM(self->classes, k), p) < 0) {
            Py_XDECREF(p);
            Py_DECREF(result);
            goto fail;
        }
        Py_DECREF(p);
    }
    PyMem_Free(order);
    PyMem_Free(scores);
    return result;
fail:
    for (Py_ssize_t f = 0; f < found; f++)
        self->seen[order[f]] = -1;
    PyMem_Free(order);
    PyMem_Free(scores);
    return NULL;
}

static PyMethodDef Scorer_methods[] = {
    {"predict", (PyCFunction)Scorer_predict, METH_VARARGS,
     "predict(clean, words): {class: probability} for one message, as LinearModel.predict."},
    {NULL},
};

static PyTypeObject ScorerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "nlp._speedups.Scorer",
    .tp_doc = "A linear model's scoring: Scorer(classes, intercepts, {feature: (idf, weights times idf)}).",
    .tp_basicsize = sizeof(Scorer),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Scorer_init,
    .tp_dealloc = (destructor)Scorer_dealloc,
    .tp_methods = Scorer_methods,
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT, "nlp._speedups", "The message reader's inner loops in C (nlp/segment.py, nlp/model.py).",
    -1, NULL,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (PyType_Ready(&CutterType) < 0 || PyType_Ready(&ScorerType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&speedups_module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddObjectRef(m, "Cutter", (PyObject *)&CutterType) < 0 ||
        PyModule_AddObjectRef(m, "Scorer", (PyObject *)&ScorerType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
