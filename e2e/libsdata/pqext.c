/* pqext: a tiny C extension module that links libpq, for the `pyimg libs`
   end-to-end test. Importing it needs libpq.so.5 at run time. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <libpq-fe.h>

static PyObject *version(PyObject *self, PyObject *args) {
    return PyLong_FromLong(PQlibVersion());
}

static PyMethodDef methods[] = {
    {"version", version, METH_NOARGS, "The libpq version (PQlibVersion)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "pqext", NULL, -1, methods};

PyMODINIT_FUNC PyInit_pqext(void) { return PyModule_Create(&module); }
