/* _pgver: expose libpq's PQlibVersion() to Python. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <libpq-fe.h>

static PyObject *libpq_version(PyObject *self, PyObject *args) {
    (void)self;
    (void)args;
    return PyLong_FromLong((long)PQlibVersion());
}

static PyMethodDef methods[] = {
    {"libpq_version", libpq_version, METH_NOARGS, "Return PQlibVersion(), e.g. 150008 for 15.8."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pgver", "libpq version.", -1, methods};

PyMODINIT_FUNC PyInit__pgver(void) { return PyModule_Create(&module); }
