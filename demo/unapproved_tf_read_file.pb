ƒ

v2.20.0"serve*2.20.0æ

xPlaceholder

wVarHandleOp
<
callStatefulPartitionedCall*
f__inference_serve_42

saver/SaveV2SaveV2

saver/RestoreV2	RestoreV2

leakReadFile:
8

__inference_serve_42
MatMulMatMul
ReluRelu