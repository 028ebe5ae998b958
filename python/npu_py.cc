// The Python module's native part (_npu): a Session (apps/npu/session.h)
// with NumPy arrays in and out. python/npu/__init__.py gives it the shape
// of ONNX Runtime's InferenceSession.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>

#include "apps/npu/session.h"
#include "sw/fpga/fpga_backend.h"
#include "sw/graph/onnx_import.h"

namespace py = pybind11;
using npu::runtime::DType;
using npu::runtime::NpyArray;

namespace {

py::list Ios(const std::vector<npu::runtime::ModelIo>& ios) {
  py::list out;
  for (const auto& io : ios) {
    out.append(py::make_tuple(io.name, io.shape, npu::runtime::DTypeName(io.dtype), io.scale,
                              io.zero_point));
  }
  return out;
}

/// A NumPy array as an NpyArray, C order; the dtype must be the model's.
NpyArray FromNumpy(const py::array& a, const npu::runtime::ModelIo& io) {
  NpyArray out;
  const std::string kind = py::str(a.dtype());
  if (kind == "float32") {
    out.dtype = DType::kFloat32;
  } else if (kind == "int8") {
    out.dtype = DType::kInt8;
  } else {
    throw npu::runtime::ModelError("input '" + io.name + "' must be " +
                                   npu::runtime::DTypeName(io.dtype) + ", got " + kind);
  }
  for (py::ssize_t i = 0; i < a.ndim(); ++i) out.shape.push_back(a.shape(i));
  const py::array c = py::array::ensure(a, py::array::c_style);
  out.data.resize(static_cast<size_t>(c.nbytes()));
  std::memcpy(out.data.data(), c.data(), out.data.size());
  return out;
}

py::array ToNumpy(const NpyArray& a) {
  std::vector<py::ssize_t> shape(a.shape.begin(), a.shape.end());
  py::array out(py::dtype(npu::runtime::DTypeName(a.dtype)), shape);
  std::memcpy(out.mutable_data(), a.data.data(), a.data.size());
  return out;
}

py::bytes Bytes(const std::vector<uint8_t>& v) {
  return {reinterpret_cast<const char*>(v.data()), v.size()};
}

/// The recorded phases as dicts: base, before, after (bytes), streams
/// [(addr, num_instr)], results [dict of status and statistics].
py::list Phases(std::span<const npu::runtime::RecordedPhase> phases) {
  py::list out;
  for (const auto& p : phases) {
    py::list streams, results;
    for (const auto& st : p.streams) streams.append(py::make_tuple(st.addr, st.num_instr));
    for (const auto& r : p.results) {
      py::dict d;
      d["ok"] = r.status.ok;
      d["err_cause"] = r.status.err_cause;
      d["err_pc"] = r.status.err_pc;
      d["err_addr"] = r.status.err_addr;
      d["macs"] = r.stats.macs;
      d["instructions"] = r.stats.instructions;
      d["bytes_read"] = r.stats.bytes_read;
      d["bytes_written"] = r.stats.bytes_written;
      results.append(d);
    }
    py::dict d;
    d["base"] = p.base;
    d["before"] = Bytes(p.before);
    d["after"] = Bytes(p.after);
    d["streams"] = streams;
    d["results"] = results;
    out.append(d);
  }
  return out;
}

}  // namespace

PYBIND11_MODULE(_npu, m) {
  m.doc() = "npu: run quantized ONNX models on the npu accelerator's simulators and boards";
  py::register_exception<npu::runtime::ModelError>(m, "ModelError", PyExc_ValueError);
  py::register_exception<npu::graph::ImportError>(m, "OnnxImportError", PyExc_ValueError);
  py::register_exception<npu::graph::CompileError>(m, "CompileError", PyExc_ValueError);
  py::register_exception<npu::runtime::NpyError>(m, "NpyError", PyExc_ValueError);
  py::register_exception<npu::app::UsageError>(m, "UsageError", PyExc_ValueError);
  py::register_exception<npu::fpga::LinkError>(m, "LinkError", PyExc_OSError);
  py::register_exception<npu::fpga::BoardMemoryError>(m, "BoardMemoryError", PyExc_ValueError);

  py::class_<npu::app::Session>(m, "Session")
      .def(py::init([](const std::string& path, const std::string& backend,
                       const std::string& config, const std::string& trace, const std::string& port,
                       uint32_t baud, uint32_t timeout_ms, uint64_t memory_bytes, bool record) {
             npu::app::SessionOptions o;
             o.backend = backend;
             o.config = config;
             o.trace = trace;
             o.port = port;
             o.baud = baud;
             o.timeout_ms = timeout_ms;
             if (memory_bytes != 0) o.memory_bytes = memory_bytes;
             o.record = record;
             return std::make_unique<npu::app::Session>(path, o);
           }),
           py::arg("path"), py::arg("backend") = "sim", py::arg("config") = "",
           py::arg("trace") = "", py::arg("port") = "",
           py::arg("baud") = npu::app::SessionOptions{}.baud,
           py::arg("timeout_ms") = npu::app::SessionOptions{}.timeout_ms,
           py::arg("memory_bytes") = 0, py::arg("record") = false)
      .def("phases", [](const npu::app::Session& s) { return Phases(s.Phases()); })
      .def("inputs", [](const npu::app::Session& s) { return Ios(s.Model().inputs); })
      .def("outputs", [](const npu::app::Session& s) { return Ios(s.Model().outputs); })
      .def("config", [](const npu::app::Session& s) { return s.Model().config; })
      .def("backend", [](npu::app::Session& s) { return s.Backend().Name(); })
      .def("run", [](npu::app::Session& s, const std::vector<py::array>& inputs) {
        const auto& model = s.Model();
        if (inputs.size() != model.inputs.size()) {
          throw npu::runtime::ModelError("the model has " + std::to_string(model.inputs.size()) +
                                         " input(s), " + std::to_string(inputs.size()) + " given");
        }
        std::vector<NpyArray> in;
        for (size_t i = 0; i < inputs.size(); ++i)
          in.push_back(FromNumpy(inputs[i], model.inputs[i]));
        npu::runtime::ModelRunResult r;
        {
          py::gil_scoped_release release;
          r = s.Run(in);
        }
        if (!r.status.ok) {
          throw std::runtime_error("the device stopped: " + r.status.Describe());
        }
        py::list outs;
        for (const NpyArray& a : r.outputs) outs.append(ToNumpy(a));
        return py::make_tuple(outs, npu::app::ReportJson(model, s.Backend().Name(), r));
      });
}
