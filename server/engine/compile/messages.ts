/**
 * Why a model cannot be deployed, by key, in Vietnamese and English (issues #13, #16). The English
 * text is the one Camunda's tools read at /engine-rest (`ParseException`); /api and the designer show
 * the reader's language. A text never names its element: the refusal around it (errors.ts) and the
 * designer's findings list name the step.
 */

/** A placeholder's value: the same in both languages, or a word that needs translating. */
export type FindingParam = string | number | { vi: string; en: string };
export type FindingParams = Record<string, FindingParam>;

export const COMPILE_MESSAGES = {
  // The document itself.
  'engine.xml.tooLarge': { vi: 'Tệp quy trình vượt quá {mb} MB', en: 'The process model exceeds {mb} MB' },
  'engine.xml.doctype': { vi: 'Không chấp nhận XML có khai báo DOCTYPE hoặc ENTITY', en: 'XML with a DOCTYPE or ENTITY declaration is not accepted' },
  'engine.xml.noDefinitions': { vi: 'Không phải tài liệu BPMN 2.0: thiếu phần tử gốc <definitions>', en: 'Not a BPMN 2.0 document: no <definitions> root element' },
  'engine.xml.tooDeep': { vi: 'Mô hình lồng các phần tử sâu quá {max} cấp', en: 'The model nests elements deeper than {max} levels' },
  'engine.xml.tooManyElements': { vi: 'Mô hình có hơn {max} phần tử XML', en: 'The model has more than {max} XML elements' },
  'engine.xml.malformed': { vi: 'XML của quy trình sai cú pháp: {detail}', en: 'Malformed BPMN XML: {detail}' },
  'engine.xml.notBpmn': { vi: 'Không phải tài liệu BPMN 2.0', en: 'Not a BPMN 2.0 document' },
  'engine.xml.invalid': { vi: 'BPMN không hợp lệ: {detail}', en: 'Invalid BPMN: {detail}' },

  // The process as a whole.
  'engine.process.noneExecutable': { vi: 'Tệp không có quy trình nào được đánh dấu thực thi được (isExecutable="true")', en: 'The file has no executable process (isExecutable="true")' },
  'engine.process.onlyOne': { vi: 'Mỗi tệp chỉ được có một quy trình thực thi được; hãy tách sơ đồ cộng tác thành mỗi quy trình một tệp', en: 'Only one executable process per file is supported; split the collaboration into one file per process' },
  'engine.process.oneStart': { vi: 'Quy trình chỉ được có một sự kiện bắt đầu', en: 'A process may have only one start event' },
  'engine.process.noStart': { vi: 'Quy trình không có sự kiện bắt đầu', en: 'The process has no start event' },
  'engine.messageFlow.nowhere': {
    vi: 'Thông điệp này đi theo luồng thông điệp tới nơi không phải một quy trình thực thi được của tệp (cũng không phải vùng của quy trình thuộc tệp được nhập) và phải có tên, nên không ai nhận được: hãy đặt camunda:topic để một tác vụ tự động gửi nó, hoặc khớp thông điệp qua REST',
    en: 'This message goes along a message flow to no executable process of this file (nor to the pool of an imported file\'s process) with a named message, so nobody would get it: give it a camunda:topic so a worker sends it, or correlate the message over REST',
  },
  'engine.subprocess.tooDeep': { vi: 'Quy trình con lồng nhau sâu quá {max} cấp', en: 'Sub-processes are nested deeper than {max} levels' },
  'engine.flow.crossesSubprocess': { vi: 'Luồng tuần tự không được vượt qua ranh giới của quy trình con', en: 'A sequence flow cannot cross a subprocess boundary' },

  // What the server refuses to run.
  'engine.element.unsupported': { vi: 'Máy thực thi này không hỗ trợ {type}', en: '{type} is not supported by this engine' },
  'engine.element.notYet': { vi: 'Máy thực thi chưa hỗ trợ {type}', en: '{type} is not supported yet' },
  'engine.script.task': { vi: 'Không được dùng tác vụ kịch bản (script task): máy chủ không chạy kịch bản một cách an toàn được; hãy dùng tác vụ dịch vụ ngoài', en: 'Script tasks are not allowed: scripts cannot run safely on the server; use an external service task' },
  'engine.script.condition': { vi: 'Không được dùng điều kiện viết bằng kịch bản ({language}); hãy dùng biểu thức như ${approved}', en: 'Script conditions ({language}) are not allowed; use an expression like ${approved}' },
  'engine.serviceTask.external': { vi: 'Tác vụ dịch vụ phải là tác vụ ngoài (camunda:type="external" kèm camunda:topic): máy chủ không tự chạy mã lệnh', en: 'Service tasks must be external (camunda:type="external" with a camunda:topic): the server runs no code of its own' },
  'engine.listener.unsupported': { vi: 'Không hỗ trợ {what}: nó sẽ chạy mã lệnh trên máy chủ; hãy mô hình hóa bước này thành tác vụ dịch vụ ngoài', en: '{what}s are not supported: they would run code on the server; model the step as an external service task' },
  'engine.connector.unsupported': { vi: 'Không hỗ trợ connector: hãy dùng tác vụ dịch vụ ngoài', en: 'Connectors are not supported: use an external service task' },
  'engine.gateway.orJoin': { vi: 'Không hỗ trợ cổng bao hàm hội tụ (OR-join); hãy hợp nhánh bằng cổng song song hoặc cổng loại trừ', en: 'Converging inclusive gateways (OR-join) are not supported; join with a parallel or exclusive gateway' },
  'engine.eventSubprocess.unsupported': { vi: 'Không hỗ trợ quy trình con sự kiện', en: 'Event subprocesses are not supported' },
  'engine.loop.standard': { vi: 'Không hỗ trợ vòng lặp chuẩn; hãy dùng đa thể hiện (multi-instance)', en: 'Standard loops are not supported; use multi-instance' },
  'engine.message.throwUnsupported': { vi: 'Không hỗ trợ sự kiện phát thông điệp; hãy dùng tác vụ dịch vụ ngoài để gửi thông điệp', en: 'Message throw events are not supported; use an external service task to send messages' },
  'engine.message.startTopLevel': { vi: 'Sự kiện bắt đầu bằng thông điệp chỉ được đặt ở cấp quy trình', en: 'Message start events are only supported at the process level' },
  'engine.timer.startTopLevel': { vi: 'Sự kiện bắt đầu hẹn giờ chỉ được đặt ở cấp quy trình', en: 'Timer start events are only supported at the process level' },
  'engine.error.startUnsupported': { vi: 'Không hỗ trợ sự kiện bắt đầu bằng lỗi', en: 'Error start events are not supported' },

  // Expressions and working-time attributes.
  'engine.expression.unsupported': { vi: 'Biểu thức “{text}” không dùng được: {detail}', en: 'Unsupported expression "{text}": {detail}' },
  'engine.expression.unsupportedIn': { vi: 'Biểu thức “{text}” ở {what} không dùng được: {detail}', en: 'Unsupported expression in {what} "{text}": {detail}' },
  'engine.budget.invalid': { vi: 'Giá trị {attr} “{value}” phải có dạng 4h, 0.5d (0,5d) hoặc 7d', en: '{attr} "{value}" must look like 4h, 0.5d (0,5d) or 7d' },

  // Tasks, messages, signals, conditions.
  'engine.receiveTask.message': { vi: 'Tác vụ nhận cần một thông điệp có tên', en: 'A receive task needs a message with a name' },
  'engine.receiveTask.instantiate': { vi: 'Tác vụ nhận có instantiate="true" khởi tạo quy trình: nó phải nằm ở cấp quy trình và không có luồng tuần tự đi vào', en: 'A receive task with instantiate="true" starts the process: it sits at process level without incoming sequence flows' },
  'engine.message.needsName': { vi: 'Sự kiện thông điệp cần một thông điệp có tên', en: 'A message event needs a message with a name' },
  'engine.signal.needsName': { vi: 'Sự kiện tín hiệu cần một tín hiệu có tên', en: 'A signal event needs a signal with a name' },
  'engine.conditional.needsCondition': { vi: 'Sự kiện điều kiện cần có điều kiện', en: 'A conditional event needs a condition' },
  'engine.quantity': { vi: '{attr} {value} phải là số nguyên từ 1 trở lên (§13.2.1)', en: '{attr} {value} must be a whole number ≥ 1 (§13.2.1)' },

  // Timers.
  'engine.timer.several': { vi: 'Sự kiện hẹn giờ có nhiều hơn một định nghĩa thời gian: {kinds}', en: 'A timer has one definition; this one has {kinds}' },
  'engine.timer.needsDefinition': { vi: 'Hẹn giờ cần một trong các định nghĩa timeDate, timeDuration hoặc timeCycle', en: 'A timer needs timeDate, timeDuration or timeCycle' },
  'engine.timer.literalDate': { vi: 'timeDate “{value}” không phải ngày giờ theo ISO 8601', en: 'timeDate "{value}": not an ISO 8601 date-time' },
  'engine.timer.literalDuration': { vi: 'timeDuration “{value}” không phải khoảng thời gian theo ISO 8601 (ví dụ PT1H, P3D)', en: 'timeDuration "{value}": not an ISO 8601 duration (e.g. PT1H, P3D)' },
  'engine.timer.literalCycle': { vi: 'timeCycle “{value}” không phải chu kỳ lặp theo ISO 8601 (ví dụ R3/PT10M hoặc R/2026-01-01T08:00:00/P1D)', en: 'timeCycle "{value}": not an ISO 8601 repeating interval (e.g. R3/PT10M or R/2026-01-01T08:00:00/P1D)' },
  'engine.timer.literalR0': { vi: 'timeCycle “{value}”: chu kỳ phải lặp ít nhất một lần (R0 không bao giờ chạy)', en: 'timeCycle "{value}": a cycle repeats at least once (R0 never fires)' },
  'engine.timer.cycleExpression': { vi: 'timeCycle “{value}” phải ghi trực tiếp (không dùng biểu thức) để kiểm tra được khoảng cách giữa các lần', en: 'timeCycle "{value}" must be written literally (no expression), so its interval can be checked' },
  'engine.timer.cycleInvalid': { vi: 'timeCycle “{value}” không phải chu kỳ theo ISO-8601: {detail}', en: 'timeCycle "{value}" is not an ISO-8601 cycle: {detail}' },
  'engine.timer.cycleNoR': { vi: 'timeCycle “{value}” phải bắt đầu bằng R hoặc R<n> (ví dụ R3/PT10M hoặc R/P1D)', en: 'timeCycle "{value}" is not an ISO-8601 cycle: a cycle starts with R or R<n> (for example R3/PT10M or R/P1D)' },
  'engine.timer.cycleNoDuration': { vi: 'timeCycle “{value}” thiếu khoảng thời gian lặp (ví dụ R/P1D)', en: 'timeCycle "{value}" is not an ISO-8601 cycle: a cycle needs a duration (for example R/P1D)' },
  'engine.timer.cycleBadDate': { vi: 'timeCycle “{value}”: “{part}” không phải ngày giờ dạng 2026-01-05T08:00:00+07:00', en: 'timeCycle "{value}" is not an ISO-8601 cycle: "{part}" is not a date-time such as 2026-01-05T08:00:00+07:00' },
  'engine.timer.cycleNever': { vi: 'timeCycle “{value}” không bao giờ chạy (R0)', en: 'timeCycle "{value}" never fires (R0)' },
  'engine.timer.cycleTooMany': { vi: 'timeCycle “{value}” lặp quá {max} lần', en: 'timeCycle "{value}" repeats more than {max} times' },
  'engine.timer.cycleTooOften': { vi: 'timeCycle “{value}” lặp dày hơn mỗi phút một lần (khoảng cách tối thiểu PT1M)', en: 'timeCycle "{value}" repeats more often than once a minute (minimum interval PT1M)' },
  'engine.timer.cycleEndlessTooOften': { vi: 'timeCycle “{value}” lặp không giới hạn và dày hơn 5 phút một lần (tối thiểu PT5M, hoặc ghi rõ số lần R<n>)', en: 'timeCycle "{value}" repeats without end more often than every 5 minutes (minimum PT5M, or give R<n>)' },
  'engine.timer.durationInvalid': { vi: 'timeDuration “{value}” không phải khoảng thời gian theo ISO-8601 như PT10M hoặc P3D: {detail}', en: 'timeDuration "{value}" is not an ISO-8601 duration such as PT10M or P3D: {detail}' },
  'engine.timer.dateInvalid': { vi: 'timeDate “{value}” không phải ngày giờ dạng 2026-01-05T08:00:00+07:00', en: 'timeDate "{value}" is not a date-time such as 2026-01-05T08:00:00+07:00' },
  'engine.timer.startPlace': { vi: 'Sự kiện bắt đầu hẹn giờ chỉ được đặt ở cấp quy trình hoặc trong quy trình con sự kiện', en: 'Timer start events are only supported at the process level or in event subprocesses' },

  // Where events may stand (§10.5).
  'engine.event.multiple': {
    vi: 'Sự kiện nhiều định nghĩa chỉ được dùng làm sự kiện bắt trung gian gồm tín hiệu và hẹn giờ, hoặc sự kiện phát trung gian hay kết thúc gồm tín hiệu và leo thang; hãy để sự kiện này một định nghĩa',
    en: 'Multiple events are supported as intermediate catch events of signals and timers, and as intermediate or end throw events of signals and escalations; give this event one definition',
  },
  'engine.terminate.notEnd': { vi: 'Sự kiện chấm dứt chỉ được là sự kiện kết thúc', en: 'A terminate event can only be an end event' },
  'engine.error.placement': { vi: 'Sự kiện lỗi chỉ được là sự kiện kết thúc, sự kiện biên hoặc sự kiện bắt đầu của quy trình con sự kiện', en: 'An error event can only be an end, boundary or event-subprocess start event' },
  'engine.error.boundaryInterrupts': { vi: 'Sự kiện biên bắt lỗi luôn ngắt hoạt động (cancelActivity không được là false)', en: 'An error boundary event always interrupts (cancelActivity cannot be false)' },
  'engine.error.startPlace': { vi: 'Sự kiện bắt đầu bằng lỗi phải nằm trong quy trình con sự kiện', en: 'An error start event belongs in an event subprocess' },
  'engine.escalation.startPlace': { vi: 'Sự kiện bắt đầu bằng leo thang phải nằm trong quy trình con sự kiện', en: 'An escalation start event belongs in an event subprocess' },
  'engine.escalation.catchPlace': { vi: 'Leo thang chỉ được bắt bởi sự kiện biên hoặc quy trình con sự kiện', en: 'Escalations are caught by boundary events or event subprocesses only' },
  'engine.escalation.boundaryHost': { vi: 'Sự kiện biên leo thang chỉ gắn trên quy trình con, hoạt động gọi quy trình hoặc hoạt động đa thể hiện có hành vi phát leo thang (§10.2.8)', en: 'An escalation boundary event sits on a subprocess, a call activity or a multi-instance activity whose behavior throws escalations (§10.2.8)' },
  'engine.link.placement': { vi: 'Sự kiện liên kết chỉ được là sự kiện trung gian', en: 'Link events are intermediate events only' },
  'engine.link.noCatch': { vi: 'Không có sự kiện bắt liên kết nào tên \'{name}\' trong cùng phạm vi', en: 'No link catch event named \'{name}\' in the same scope' },
  'engine.message.startPlace': { vi: 'Sự kiện bắt đầu bằng thông điệp chỉ được đặt ở cấp quy trình hoặc trong quy trình con sự kiện', en: 'Message start events are only supported at the process level or in event subprocesses' },
  'engine.subprocess.noneStart': { vi: 'Quy trình con nhúng phải bắt đầu bằng một sự kiện bắt đầu không có định nghĩa sự kiện', en: 'An embedded subprocess starts with a none start event' },
  'engine.eventSubprocess.triggeredStart': { vi: 'Quy trình con sự kiện phải bắt đầu bằng sự kiện có tác nhân kích hoạt (thông điệp, hẹn giờ, tín hiệu, lỗi, leo thang hoặc điều kiện)', en: 'An event subprocess starts with a triggered start event (message, timer, signal, error, escalation or conditional)' },
  'engine.eventSubprocess.needsStart': { vi: 'Quy trình con sự kiện cần một sự kiện bắt đầu', en: 'An event subprocess needs a start event' },
  'engine.adhoc.noStart': { vi: 'Quy trình con tự do (ad-hoc) không có sự kiện bắt đầu', en: 'An ad-hoc subprocess has no start event' },
  'engine.boundary.attached': { vi: 'Sự kiện biên phải gắn vào một hoạt động', en: 'A boundary event must be attached to an activity' },
  'engine.boundary.none': { vi: 'Sự kiện không có định nghĩa không được là sự kiện biên', en: 'A none event cannot be a boundary event' },
  'engine.boundary.link': { vi: 'Sự kiện liên kết không được là sự kiện biên', en: 'A link event cannot be a boundary event' },
  'engine.boundary.terminate': { vi: 'Sự kiện chấm dứt không được là sự kiện biên', en: 'A terminate event cannot be a boundary event' },
  'engine.start.incoming': { vi: 'Sự kiện bắt đầu không được có luồng đi vào', en: 'A start event has no incoming flow' },
  'engine.end.outgoing': { vi: 'Sự kiện kết thúc không được có luồng đi ra', en: 'An end event has no outgoing flow' },

  // Gateways (§8.3.9, §13.3).
  'engine.gateway.convergingOut': { vi: 'Cổng hội tụ chỉ có một luồng đi ra', en: 'A converging gateway has one outgoing flow' },
  'engine.gateway.divergingIn': { vi: 'Cổng rẽ nhánh chỉ có một luồng đi vào', en: 'A diverging gateway has one incoming flow' },
  'engine.gateway.eventBasedTarget': { vi: 'Cổng dựa trên sự kiện chỉ dẫn tới sự kiện bắt hoặc tác vụ nhận (\'{target}\' không phải)', en: 'An event-based gateway leads only to catch events or receive tasks (\'{target}\' is not one)' },
  'engine.gateway.complexActivation': { vi: 'Cổng phức hợp hội tụ cần activationCondition (ví dụ ${activationCount >= 2})', en: 'A converging complex gateway needs an activationCondition (e.g. ${activationCount >= 2})' },

  // Transactions and compensation (§10.2.2, §10.5.2, §10.5.5).
  'engine.cancel.endPlace': { vi: 'Sự kiện kết thúc hủy chỉ được dùng bên trong quy trình con giao dịch', en: 'A cancel end event can only be used inside a transaction subprocess' },
  'engine.cancel.placement': { vi: 'Sự kiện hủy chỉ được là sự kiện kết thúc bên trong giao dịch hoặc sự kiện biên gắn trên giao dịch', en: 'A cancel event is an end event inside a transaction or a boundary event on one' },
  'engine.cancel.boundaryInterrupts': { vi: 'Sự kiện biên hủy luôn ngắt hoạt động (cancelActivity không được là false)', en: 'A cancel boundary event always interrupts (cancelActivity cannot be false)' },
  'engine.cancel.boundaryHost': { vi: 'Sự kiện biên hủy phải gắn trên quy trình con giao dịch', en: 'A cancel boundary event sits on a transaction subprocess' },
  'engine.transaction.cancelBoundary': { vi: 'Giao dịch có sự kiện kết thúc hủy cần một sự kiện biên hủy (nơi quy trình tiếp tục khi giao dịch bị hủy)', en: 'A transaction with a cancel end event needs a cancel boundary event (where the cancelled transaction continues)' },
  'engine.compensation.intermediateCatch': { vi: 'Bù trừ được bắt bởi sự kiện biên (kèm hoạt động bù trừ được liên kết) hoặc quy trình con sự kiện bù trừ, không bởi sự kiện bắt trung gian', en: 'Compensation is caught by a boundary event (with an associated handler) or a compensation event subprocess, not by an intermediate catch event' },
  'engine.compensation.startPlace': { vi: 'Sự kiện bắt đầu bù trừ phải nằm trong quy trình con sự kiện', en: 'A compensation start event belongs in an event subprocess' },
  'engine.compensation.subprocessPlace': { vi: 'Quy trình con sự kiện bù trừ phải nằm trong một quy trình con (nó bù trừ cho quy trình con đó)', en: 'A compensation event subprocess belongs in a subprocess (it compensates that subprocess)' },
  'engine.compensation.boundaryFlow': { vi: 'Sự kiện biên bù trừ không có luồng tuần tự đi ra: hãy liên kết (association) nó với hoạt động bù trừ', en: 'A compensation boundary event has no outgoing sequence flow: associate it with its handler activity' },
  'engine.compensation.needsHandler': { vi: 'Sự kiện biên bù trừ cần một liên kết (association) tới hoạt động bù trừ của nó (isForCompensation="true")', en: 'A compensation boundary event needs an association to its compensation handler activity (isForCompensation="true")' },
  'engine.compensation.handlerFlag': { vi: 'Hoạt động bù trừ \'{handler}\' phải được đánh dấu isForCompensation="true"', en: 'The compensation handler \'{handler}\' must be marked isForCompensation="true"' },
  'engine.compensation.handlerFlows': { vi: 'Hoạt động bù trừ (isForCompensation) không được có luồng tuần tự đi vào hay đi ra', en: 'A compensation handler (isForCompensation) has no incoming or outgoing sequence flow' },
  'engine.compensation.activityRef': { vi: 'activityRef \'{ref}\' không trỏ tới hoạt động nào trong phạm vi của sự kiện này', en: 'activityRef \'{ref}\' names no activity of this event\'s scope' },

  // Loops and multi-instance (§13.2.6, §13.2.7, §10.2.8).
  'engine.loop.maximum': { vi: 'loopMaximum {value} phải là số nguyên từ 0 trở lên (§13.2.6)', en: 'loopMaximum {value} must be a whole number ≥ 0 (§13.2.6)' },
  'engine.mi.behaviorUnknown': { vi: 'Hành vi đa thể hiện \'{behavior}\' phải là một trong All, None, One, Complex (§10.2.8)', en: 'Multi-instance behavior \'{behavior}\' is not one of All, None, One, Complex (§10.2.8)' },
  'engine.mi.behaviorNeedsRef': { vi: 'Hành vi đa thể hiện {behavior} cần {what} chỉ ra định nghĩa sự kiện được phát (§10.2.8)', en: 'Multi-instance behavior {behavior} needs {what} naming the event definition it throws (§10.2.8)' },
  'engine.mi.behaviorThrows': { vi: 'Hành vi đa thể hiện {behavior} chỉ phát tín hiệu và leo thang; {what} lại chỉ tới định nghĩa sự kiện {kind}', en: 'Multi-instance behavior {behavior} throws signals and escalations; {what} names a {kind} event definition' },
  'engine.mi.complexNeedsDefinition': { vi: 'Hành vi đa thể hiện Complex cần một complexBehaviorDefinition (§10.2.8)', en: 'Multi-instance behavior Complex needs a complexBehaviorDefinition (§10.2.8)' },
  'engine.mi.complexNeedsCondition': { vi: 'complexBehaviorDefinition cần có điều kiện (§10.2.8)', en: 'A complexBehaviorDefinition needs a condition (§10.2.8)' },
  'engine.mi.complexNeedsEvent': { vi: 'complexBehaviorDefinition cần một sự kiện có định nghĩa tín hiệu hoặc leo thang (§10.2.8)', en: 'A complexBehaviorDefinition needs an event with a signal or escalation definition (§10.2.8)' },

  // Jobs (camunda:failedJobRetryTimeCycle).
  'engine.retry.format': { vi: 'failedJobRetryTimeCycle “{text}” phải có dạng R5/PT5M (từ 1 đến 100 lần thử lại, kèm khoảng thời gian giữa các lần)', en: 'failedJobRetryTimeCycle "{text}" must look like R5/PT5M (1 to 100 retries, a duration between them)' },
  'engine.retry.notJob': { vi: 'failedJobRetryTimeCycle chỉ áp dụng cho công việc nền: bước chạy tiếp bất đồng bộ (camunda:asyncBefore/asyncAfter) hoặc sự kiện hẹn giờ', en: 'failedJobRetryTimeCycle applies to jobs: an async continuation (camunda:asyncBefore/asyncAfter) or a timer event' },
  'engine.retry.notJobExternal': {
    vi: 'failedJobRetryTimeCycle chỉ áp dụng cho công việc nền: bước chạy tiếp bất đồng bộ (camunda:asyncBefore/asyncAfter) hoặc sự kiện hẹn giờ; số lần thử lại của tác vụ ngoài do tác vụ tự động tự báo mỗi khi thất bại',
    en: 'failedJobRetryTimeCycle applies to jobs: an async continuation (camunda:asyncBefore/asyncAfter) or a timer event; an external task\'s retries are its worker\'s (it reports them with each failure)',
  },

  // camunda:inputOutput.
  'engine.io.onProcess': { vi: 'camunda:inputOutput chỉ đặt trên một hoạt động, không đặt trên quy trình', en: 'camunda:inputOutput belongs on an activity, not on the process' },
  'engine.io.notOn': { vi: 'Không hỗ trợ camunda:inputOutput trên {type} (Camunda cũng không)', en: 'camunda:inputOutput is not supported on a {type} (Camunda neither)' },
  'engine.io.paramName': { vi: 'Tham số vào/ra cần có tên', en: 'An input/output parameter needs a name' },
  'engine.io.inputExpression': { vi: 'Biểu thức “{text}” của tham số vào \'{param}\' không dùng được: {detail}', en: 'Unsupported expression in input parameter \'{param}\' "{text}": {detail}' },
  'engine.io.outputExpression': { vi: 'Biểu thức “{text}” của tham số ra \'{param}\' không dùng được: {detail}', en: 'Unsupported expression in output parameter \'{param}\' "{text}": {detail}' },
  'engine.io.inputScript': { vi: 'Tham số vào \'{param}\': không được ánh xạ bằng kịch bản (máy chủ không chạy mã lệnh)', en: 'input parameter \'{param}\': script mappings are not allowed (no code runs on the server)' },
  'engine.io.outputScript': { vi: 'Tham số ra \'{param}\': không được ánh xạ bằng kịch bản (máy chủ không chạy mã lệnh)', en: 'output parameter \'{param}\': script mappings are not allowed (no code runs on the server)' },
  'engine.io.inputUnsupported': { vi: 'Tham số vào \'{param}\': không hỗ trợ {type}', en: 'input parameter \'{param}\': {type} is not supported' },
  'engine.io.outputUnsupported': { vi: 'Tham số ra \'{param}\': không hỗ trợ {type}', en: 'output parameter \'{param}\': {type} is not supported' },

  // Call activities (§10.2.5).
  'engine.call.needsElement': { vi: 'Hoạt động gọi quy trình cần calledElement (khóa của quy trình được gọi)', en: 'A call activity needs calledElement (the key of the process it calls)' },
  'engine.call.cmmn': { vi: 'Không hỗ trợ gọi một case CMMN', en: 'Calling a CMMN case is not supported' },
  'engine.call.tenant': { vi: 'Không hỗ trợ tenant: hãy bỏ calledElementTenantId', en: 'Tenants are not supported: remove calledElementTenantId' },
  'engine.call.mappingClass': { vi: 'Lớp ánh xạ biến sẽ chạy mã lệnh trên máy chủ; hãy dùng camunda:in và camunda:out', en: 'Variable mapping classes would run code on the server; use camunda:in / camunda:out' },
  'engine.call.binding': { vi: 'calledElementBinding \'{binding}\' phải là một trong latest, deployment, version, versionTag', en: 'calledElementBinding \'{binding}\' is not one of latest, deployment, version, versionTag' },
  'engine.call.needsVersion': { vi: 'calledElementBinding="version" cần camunda:calledElementVersion', en: 'calledElementBinding="version" needs camunda:calledElementVersion' },
  'engine.call.needsVersionTag': { vi: 'calledElementBinding="versionTag" cần camunda:calledElementVersionTag', en: 'calledElementBinding="versionTag" needs camunda:calledElementVersionTag' },
  'engine.call.mapping': { vi: 'camunda:{which} cần variables="all", hoặc một source (hay sourceExpression) cùng một target', en: 'camunda:{which} needs variables="all", or a source (or sourceExpression) and a target' },
} as const satisfies Record<string, { vi: string; en: string }>;

export type CompileKey = keyof typeof COMPILE_MESSAGES;

/** A reason without its element: what the timer and expression checks answer. */
export interface Reason { key: CompileKey; params: FindingParams }

/** A refusal: the element it concerns (its name when it has one), the keyed reason, and the English text. */
export interface Finding extends Reason {
  elementId?: string;
  elementName?: string;
  /** The English text (Camunda's tools, logs, tests). */
  message: string;
}

/** `{name}` placeholders filled in one language; a placeholder without a value stays visible. */
function fillIn(template: string, params: FindingParams, lang: 'vi' | 'en'): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => {
    const v = params[k];
    if (v === undefined) return m;
    return typeof v === 'object' ? v[lang] : String(v);
  });
}

/** A reason's text in both languages. */
export function reasonText(r: Reason): { vi: string; en: string } {
  const m = COMPILE_MESSAGES[r.key];
  return { vi: fillIn(m.vi, r.params, 'vi'), en: fillIn(m.en, r.params, 'en') };
}

export function reason(key: CompileKey, params: FindingParams = {}): Reason {
  return { key, params };
}

/** A finding on `elementId` (undefined: the document or the file as a whole). */
export function finding(elementId: string | undefined, key: CompileKey, params: FindingParams = {}): Finding {
  const f: Finding = { key, params, message: fillIn(COMPILE_MESSAGES[key].en, params, 'en') };
  if (elementId !== undefined) f.elementId = elementId;
  return f;
}

/** A reason found on an element. */
export const findingOf = (elementId: string | undefined, r: Reason): Finding => finding(elementId, r.key, r.params);
