package classify

// ReceiverType is receiverType, for the external tests.
var ReceiverType = receiverType
