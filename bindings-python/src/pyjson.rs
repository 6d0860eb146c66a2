//! Python arguments as JSON values for the core: what `json.dumps` takes (dicts, lists, tuples,
//! str, int, float, bool, None), and also models and result views, read without a trip through
//! JSON text.

use crate::view;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// `obj` as a JSON value; `path` names where a value that is not JSON data was found.
pub fn to_value(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(n) = obj.extract::<i64>() {
            return Ok(n.into());
        }
        if let Ok(n) = obj.extract::<u64>() {
            return Ok(n.into());
        }
        // Beyond 64 bits, as serde_json reads such a number from text.
        return number(obj.extract::<f64>()?, path);
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return number(f.value(), path);
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = if let Ok(s) = k.cast::<PyString>() {
                s.to_cow()?.into_owned()
            } else if k.is_instance_of::<PyInt>() && !k.is_instance_of::<PyBool>() {
                k.str()?.to_cow()?.into_owned()
            } else {
                return Err(PyTypeError::new_err(format!("{}: keys must be str, not {}", name(path), k.get_type().name()?)));
            };
            let value = to_value(&v, &format!("{path}.{key}"))?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut items = Vec::with_capacity(obj.len()?);
        for (i, item) in obj.try_iter()?.enumerate() {
            items.push(to_value(&item?, &format!("{path}[{i}]"))?);
        }
        return Ok(Value::Array(items));
    }
    if let Some(text) = view::text_of(obj) {
        return serde_json::from_str(text).map_err(|e| PyValueError::new_err(format!("{}: {e}", name(path))));
    }
    if obj.is_instance(model_class(obj.py())?)? {
        return to_value(&obj.getattr(pyo3::intern!(obj.py(), "_data"))?, path);
    }
    Err(PyTypeError::new_err(format!("{}: {} is not JSON data", name(path), obj.get_type().name()?)))
}

fn name(path: &str) -> &str {
    if path.is_empty() {
        "the input"
    } else {
        path.trim_start_matches('.')
    }
}

fn number(f: f64, path: &str) -> PyResult<Value> {
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| PyValueError::new_err(format!("{}: {f} is not a JSON number", name(path))))
}

/// `narvar._model.Model`, the base of every typed model.
fn model_class(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static MODEL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    Ok(MODEL.get_or_try_init(py, || py.import("narvar._model")?.getattr("Model").map(Bound::unbind))?.bind(py))
}
